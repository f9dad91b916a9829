-- migrate:up
CREATE TABLE u (id int);
