-- +up
ALTER TABLE trace_orders ALTER COLUMN n TYPE bigint;
ALTER TABLE trace_orders ALTER COLUMN note TYPE text;
ALTER TABLE trace_orders ADD CONSTRAINT trace_orders_n_pos CHECK (n > 0) NOT VALID;
ALTER TABLE trace_orders VALIDATE CONSTRAINT trace_orders_n_pos;
ALTER TABLE trace_orders ADD CONSTRAINT trace_orders_ref_fk FOREIGN KEY (ref) REFERENCES trace_parent (id);
CREATE INDEX trace_orders_note ON trace_orders (note);
ALTER TABLE trace_orders ALTER COLUMN note SET STATISTICS 100;
CREATE TABLE trace_fresh (id int);
