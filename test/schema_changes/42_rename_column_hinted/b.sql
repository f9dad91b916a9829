CREATE TABLE t (id int, display_name text NOT NULL DEFAULT '');
COMMENT ON COLUMN t.display_name IS 'renamed from: fullname';
