-- +up
CREATE TABLE fn_t (x int, y int);
INSERT INTO fn_t VALUES (1, 1), (1, 2), (2, 3);
-- +down
DROP TABLE fn_t;
