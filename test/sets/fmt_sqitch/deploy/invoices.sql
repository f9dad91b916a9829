-- Deploy fmtapp:invoices to pg
-- requires: orgs, otherproj:base_roles

BEGIN;

CREATE SEQUENCE app.invoice_no START 1000;
CREATE TABLE app.invoices (
    no bigint PRIMARY KEY DEFAULT nextval('app.invoice_no'),
    org_id bigint NOT NULL REFERENCES app.orgs (id),
    total numeric(12,2) NOT NULL CHECK (total >= 0)
);
ALTER SEQUENCE app.invoice_no OWNED BY app.invoices.no;

COMMIT;
