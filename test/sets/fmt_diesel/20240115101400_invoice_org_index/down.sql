DROP INDEX app.invoices_org_id;
