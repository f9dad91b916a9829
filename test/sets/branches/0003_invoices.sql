-- down_revision: 0002
-- branch_labels: billing
-- +up
CREATE TABLE br_invoices (id int PRIMARY KEY, user_id int REFERENCES br_users);
-- +down
DROP TABLE br_invoices;
