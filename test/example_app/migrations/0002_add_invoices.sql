-- message: Add invoices
-- down_revision: 0001

-- +up
CREATE TABLE invoices (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint  NOT NULL REFERENCES accounts (id),
    amount     numeric(12, 2) NOT NULL CHECK (amount >= 0),
    issued_on  date    NOT NULL DEFAULT current_date
);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);

-- +down
DROP TABLE invoices;
