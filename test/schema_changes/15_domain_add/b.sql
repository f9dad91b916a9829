CREATE DOMAIN email AS text CHECK (VALUE ~ '@');
CREATE TABLE t (id int, e email);
