-- +up
CREATE TABLE sf_one (id int);
-- +down
DROP TABLE sf_one;
