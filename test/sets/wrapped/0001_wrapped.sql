BEGIN;
CREATE TABLE wr_one (id int);
CREATE TABLE wr_two (id int);
COMMIT;
