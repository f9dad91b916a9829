-- +up
CREATE TABLE nd_3 (id int);
-- +down
DROP TABLE nd_3;
