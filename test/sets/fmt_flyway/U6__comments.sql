COMMENT ON COLUMN app.users.email IS NULL;
COMMENT ON TABLE app.invoices IS NULL;
