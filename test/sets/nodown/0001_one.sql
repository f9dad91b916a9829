-- +up
CREATE TABLE nd_1 (id int);
-- +down
DROP TABLE nd_1;
