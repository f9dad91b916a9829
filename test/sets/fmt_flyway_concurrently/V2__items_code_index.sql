-- Flyway runs this file outside a transaction
CREATE INDEX CONCURRENTLY fc_items_code ON fc_items (code);
