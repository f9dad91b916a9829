CREATE TABLE customer (id int PRIMARY KEY, name text);
CREATE INDEX customer_name ON customer (name);
