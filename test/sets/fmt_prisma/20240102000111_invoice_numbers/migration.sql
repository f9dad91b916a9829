-- Invoice numbers
CREATE SEQUENCE app.invoice_no START 1000;
