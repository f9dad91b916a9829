-- one statement: Postgrator sends it as one Query, outside a transaction
CREATE INDEX CONCURRENTLY events_at ON events (at);
