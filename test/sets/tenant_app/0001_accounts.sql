-- +up
CREATE TABLE accounts (id int PRIMARY KEY, name text);
-- +down
DROP TABLE accounts;
