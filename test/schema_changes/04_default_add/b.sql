CREATE TABLE t (id int, created timestamptz DEFAULT now());
