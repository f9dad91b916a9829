-- down_revision: 0001
-- message: left
-- branch_labels: left

-- +up
CREATE TABLE col_left (id int PRIMARY KEY);

-- +down
DROP TABLE col_left;
