-- +up
CREATE TABLE dup_b (id int);
