-- Up Migration

CREATE SCHEMA app;

-- Down Migration

DROP SCHEMA app;
