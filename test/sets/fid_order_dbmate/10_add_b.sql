-- migrate:up
ALTER TABLE odb_items ADD COLUMN b int;

-- migrate:down
ALTER TABLE odb_items DROP COLUMN b;
