CREATE UNIQUE INDEX CONCURRENTLY gc_items_code ON gc_items (code);
