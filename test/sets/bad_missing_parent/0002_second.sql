-- down_revision: 9999

-- +up
CREATE TABLE mp_2 (id int);
