-- liquibase formatted sql

-- changeset carol:orders-1
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    total_cents bigint NOT NULL CHECK (total_cents >= 0),
    placed_at timestamptz NOT NULL DEFAULT now()
);
-- rollback DROP TABLE orders;

-- changeset carol:orders-2
-- preconditions onFail:MARK_RAN onError:HALT
-- precondition-sql-check expectedResult:1 SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'legacy_orders'
INSERT INTO orders (account_id, total_cents) SELECT account_id, total FROM legacy_orders;
DROP TABLE legacy_orders;
-- rollback not required

-- changeset carol:orders-3
-- preconditions onFail:HALT
-- precondition-table-exists table:orders schema:public
CREATE INDEX orders_account_idx ON orders (account_id, placed_at DESC);
-- rollback DROP INDEX orders_account_idx;

-- changeset carol:drop-order-lines ignore:true
--comment: never run; the rollback of orders-4 borrows it
DROP TABLE order_lines;

-- changeset carol:orders-4 splitStatements:false stripComments:true
CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
    line_no int NOT NULL,
    sku text NOT NULL,
    qty int NOT NULL DEFAULT 1,
    PRIMARY KEY (order_id, line_no)
);
-- rollback changesetId:drop-order-lines changesetAuthor:carol

-- ignoreLines:start
-- changeset carol:never
CREATE TABLE never_created (id int);
-- ignoreLines:end
