-- +up
CREATE TABLE mp_1 (id int);
