CREATE TABLE t (id int, fullname text NOT NULL DEFAULT '');
