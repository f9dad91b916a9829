CREATE INDEX invoices_org_id ON app.invoices (org_id);
