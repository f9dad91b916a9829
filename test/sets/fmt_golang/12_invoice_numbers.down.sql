BEGIN;

DROP TABLE app.invoices;

COMMIT;
