-- +up
CREATE TABLE invoices (id int PRIMARY KEY, account_id int REFERENCES accounts);
-- +down
DROP TABLE invoices;
