-- +up
CREATE TABLE dup_a (id int);
