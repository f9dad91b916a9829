--liquibase formatted sql

--changeset erin:rep-1
CREATE VIEW order_totals AS
    SELECT a.id AS account_id, count(o.id) AS n_orders, coalesce(sum(o.total_cents), 0) AS total_cents
    FROM accounts a LEFT JOIN orders o ON o.account_id = a.id
    GROUP BY a.id;
--rollback DROP VIEW order_totals;

--changeset erin:rep-2
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'shipped', 'cancelled'));
--rollback ALTER TABLE orders DROP CONSTRAINT orders_status_check;
--rollback ALTER TABLE orders DROP COLUMN status;

--changeset erin:rep-3
CREATE SEQUENCE invoice_no_seq START 1000;
COMMENT ON SEQUENCE invoice_no_seq IS 'invoice numbers';
--rollback DROP SEQUENCE invoice_no_seq;

--changeset erin:rep-4
ALTER TABLE accounts RENAME COLUMN display_name TO name;
--rollback ALTER TABLE accounts RENAME COLUMN name TO display_name;

--changeset erin:rep-5
CREATE MATERIALIZED VIEW monthly_revenue AS
    SELECT date_trunc('month', placed_at) AS month, sum(total_cents) AS cents
    FROM orders GROUP BY 1
WITH NO DATA;
--rollback DROP MATERIALIZED VIEW monthly_revenue;
