ALTER TABLE app.users RENAME COLUMN full_name TO name;
