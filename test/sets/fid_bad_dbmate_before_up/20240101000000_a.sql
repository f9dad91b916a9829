CREATE TABLE bdb_before (id int);
-- migrate:up
CREATE TABLE bdb_after (id int);
-- migrate:down
