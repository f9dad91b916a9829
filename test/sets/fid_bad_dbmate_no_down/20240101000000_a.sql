-- migrate:up
CREATE TABLE bdn (id int);
