CREATE EXTENSION citext;
CREATE TABLE t (id int, email citext);
