-- message: base of the columns set
-- branch_labels: trunk
-- lock_timeout: 2s
-- statement_timeout: 1min

-- +up
CREATE TABLE col_base (id int PRIMARY KEY);

-- +down
DROP TABLE col_base;
