-- +up
CREATE INDEX sec_items_name ON sec_items (name);
CREATE SEQUENCE sec_counter;
CREATE FUNCTION sec_next() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('sec_counter') $$;
INSERT INTO sec_items (name) VALUES ('first');
-- +down
DROP FUNCTION sec_next();
DROP SEQUENCE sec_counter;
DROP INDEX sec_items_name;
