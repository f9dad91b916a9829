-- +up
CREATE INDEX CONCURRENTLY big_note ON big (note);
