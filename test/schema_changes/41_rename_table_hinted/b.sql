CREATE TABLE client (id int PRIMARY KEY, name text);
CREATE INDEX customer_name ON client (name);
COMMENT ON TABLE client IS 'renamed from: customer';
