-- rename_user_name
ALTER TABLE app.users RENAME COLUMN name TO full_name;

---- create above / drop below ----

ALTER TABLE app.users RENAME COLUMN full_name TO name;
