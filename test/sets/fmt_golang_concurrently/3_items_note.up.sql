-- mentions a database and vacuum only in a comment: stays transactional
ALTER TABLE gc_items ADD COLUMN note text;
