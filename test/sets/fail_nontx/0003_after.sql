-- +up
CREATE TABLE fn_after (id int);
-- +down
DROP TABLE fn_after;
