-- +up
CREATE TABLE sf_two (id int);

INSERT INTO sf_two VALUES (1 / 0);
-- +down
DROP TABLE sf_two;
