-- +up
CREATE TABLE bt_one (id int);
COMMIT;
CREATE TABLE bt_two (id int);
