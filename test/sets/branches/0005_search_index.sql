-- down_revision: 0002
-- branch_labels: search
-- +up
CREATE TABLE br_search (user_id int REFERENCES br_users, doc tsvector);
-- +down
DROP TABLE br_search;
