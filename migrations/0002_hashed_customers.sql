-- message: hashed customers

-- +up
-- Analytics only ever sees a hash of the customer's e-mail address.
CREATE FUNCTION customer_email_hash(email text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN sha256(convert_to(lower(btrim(email)), 'UTF8'));

CREATE TABLE hashed_customers (
    customer_id bigint      PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    email_hash  bytea       NOT NULL,
    hashed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hashed_customers_email_hash_length CHECK (octet_length(email_hash) = 32)
);

CREATE UNIQUE INDEX hashed_customers_email_hash_key ON hashed_customers (email_hash);

COMMENT ON TABLE hashed_customers IS 'Customer id and sha256 of the e-mail address, for privacy-preserving reporting.';

INSERT INTO hashed_customers (customer_id, email_hash)
SELECT id, customer_email_hash(email) FROM customers;

-- +down
DROP TABLE hashed_customers;
DROP FUNCTION customer_email_hash(text);
