CREATE TABLE t (id int, owner name);
