-- two statements: one Query, so one implicit transaction, which refuses the index
CREATE TABLE tags (id int);
CREATE INDEX CONCURRENTLY events_id_at ON events (id, at);
