BEGIN;
ALTER TABLE ot_log ADD COLUMN at timestamptz;
COMMIT;
-- outside the block: a top-level statement, as in psql
CREATE INDEX CONCURRENTLY ot_log_id ON ot_log (id);
