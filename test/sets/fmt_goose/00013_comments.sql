-- +goose up
COMMENT ON TABLE app.invoices IS 'one row per invoice; concurrently edited by billing';
COMMENT ON COLUMN app.users.email IS 'login; unique';

-- +goose Down
COMMENT ON COLUMN app.users.email IS NULL;
COMMENT ON TABLE app.invoices IS NULL;
