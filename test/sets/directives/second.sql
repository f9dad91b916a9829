-- revision: 27c6a30d7c24
-- down_revision: ae1027a6acf
-- message: add widget names

-- +up
ALTER TABLE widgets ADD COLUMN name text;
-- +down
ALTER TABLE widgets DROP COLUMN name;
