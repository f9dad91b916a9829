CREATE TABLE t (id bigint PRIMARY KEY, n numeric(12,2), s varchar(40));
