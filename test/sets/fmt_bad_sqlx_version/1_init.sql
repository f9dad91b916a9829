-- no-transaction
CREATE TABLE t (id int);
