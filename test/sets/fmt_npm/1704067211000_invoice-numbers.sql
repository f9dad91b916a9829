-- Up Migration

CREATE SEQUENCE app.invoice_no START 1000;

-- Down Migration

DROP SEQUENCE app.invoice_no;
