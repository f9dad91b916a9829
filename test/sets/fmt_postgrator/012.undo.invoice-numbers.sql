DROP SEQUENCE app.invoice_no;
