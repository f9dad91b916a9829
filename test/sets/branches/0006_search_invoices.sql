-- down_revision: 0005
-- depends_on: 0003
-- +up
CREATE TABLE br_search_invoices (invoice_id int REFERENCES br_invoices, doc tsvector);
-- +down
DROP TABLE br_search_invoices;
