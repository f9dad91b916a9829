CREATE TABLE t (id int, a text NOT NULL, b text);
