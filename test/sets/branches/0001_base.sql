-- down_revision: none

-- +up
CREATE TABLE br_base (id int PRIMARY KEY);
-- +down
DROP TABLE br_base;
