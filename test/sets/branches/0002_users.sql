-- down_revision: 0001

-- +up
CREATE TABLE br_users (id int PRIMARY KEY);
-- +down
DROP TABLE br_users;
