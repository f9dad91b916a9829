-- transactional: false
-- +up
CREATE INDEX CONCURRENTLY trace_orders_n ON trace_orders (n);
