-- +up
CREATE TABLE nt_t (id int);
-- +down
DROP TABLE nt_t;
