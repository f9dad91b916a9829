-- comments and blank lines may come first

-- migrate:up
ALTER TABLE odb_items ADD COLUMN c int GENERATED ALWAYS AS (b + 1) STORED;

-- migrate:down
ALTER TABLE odb_items DROP COLUMN c;
