-- migrate:up
CREATE INDEX invoices_org_id ON app.invoices (org_id);

-- migrate:down
DROP INDEX app.invoices_org_id;

