-- +up
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts,
    note text DEFAULT 'a; semicolon; in a string'
);
CREATE INDEX orders_account_id ON orders (account_id);

-- +down
DROP TABLE orders;
