-- Up Migration

ALTER TABLE app.users RENAME COLUMN name TO full_name;

-- Down Migration

ALTER TABLE app.users RENAME COLUMN full_name TO name;
