-- psql runs this with no transaction of its own: CONCURRENTLY works
CREATE INDEX CONCURRENTLY sc_items_code ON sc_items (code);
