-- message: index, approved
-- allow: table_lock
-- +up
CREATE INDEX approved_n ON approved (n);
