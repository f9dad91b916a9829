-- +GOOSE UP
CREATE INDEX invoices_org_id ON app.invoices (org_id);

-- +goose Down
DROP INDEX app.invoices_org_id;
