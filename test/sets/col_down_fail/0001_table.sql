-- message: a table, reverted statement by statement
-- transactional: false

-- +up
CREATE TABLE col_down_t (id int);

-- +down
DROP TABLE col_down_t;
DROP TABLE col_down_no_such_table;
