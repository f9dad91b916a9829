-- down_revision: 0002, 0003
-- message: merge

-- +up
CREATE TABLE col_merged (id int PRIMARY KEY);

-- +down
DROP TABLE col_merged;
