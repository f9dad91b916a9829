-- message: divides by zero

-- +up
CREATE TABLE fr_half (id int);
INSERT INTO fr_half VALUES (1);

SELECT 1 / (count(*) - 1) FROM fr_half;
CREATE TABLE fr_never (id int);
