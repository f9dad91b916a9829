-- down_revision: 0001
-- message: right
-- depends_on: 0002

-- +up
CREATE TABLE col_right (id int PRIMARY KEY);
