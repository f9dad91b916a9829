-- +up
CREATE TABLE sf_three (id int);
-- +down
DROP TABLE sf_three;
