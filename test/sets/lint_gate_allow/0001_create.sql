-- +up
CREATE TABLE approved (id int, n int);
