CREATE TABLE t (id int, status text DEFAULT 'open');
