-- down_revision: 0003

-- +up
CREATE TABLE br_payments (id int PRIMARY KEY, invoice_id int REFERENCES br_invoices);
-- +down
DROP TABLE br_payments;
