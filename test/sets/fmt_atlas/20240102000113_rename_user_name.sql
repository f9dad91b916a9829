ALTER TABLE app.users RENAME COLUMN name TO full_name;
