-- invoice_numbers
CREATE SEQUENCE app.invoice_no START 1000;

---- create above / drop below ----

DROP SEQUENCE app.invoice_no;
