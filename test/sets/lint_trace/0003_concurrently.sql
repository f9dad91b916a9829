-- transactional: false
-- +up
CREATE INDEX CONCURRENTLY orders_n ON orders (n);
