-- migrate:up
CREATE SCHEMA app;

-- migrate:down
DROP SCHEMA app;

