-- +up
CREATE TABLE gated (id int, n int);
-- +down
DROP TABLE gated;
