-- migrate:up
CREATE TABLE odb_items (a int);

-- migrate:down
DROP TABLE odb_items;
