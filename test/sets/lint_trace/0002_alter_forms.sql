-- +up
ALTER TABLE orders ALTER COLUMN n TYPE bigint;
ALTER TABLE orders ALTER COLUMN note TYPE text;
ALTER TABLE orders ADD CONSTRAINT orders_n_pos CHECK (n > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_n_pos;
ALTER TABLE orders ADD CONSTRAINT orders_ref_fk FOREIGN KEY (ref) REFERENCES parent (id);
CREATE INDEX orders_note ON orders (note);
ALTER TABLE orders ALTER COLUMN note SET STATISTICS 100;
CREATE TABLE fresh (id int);
