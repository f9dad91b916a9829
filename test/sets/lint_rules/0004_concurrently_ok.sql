-- transactional: false
-- +up
CREATE INDEX CONCURRENTLY big_label ON big (label);
DROP INDEX CONCURRENTLY big_label;
