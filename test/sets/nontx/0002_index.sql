-- transactional: false

-- +up
CREATE INDEX CONCURRENTLY nt_t_id ON nt_t (id);
-- +down
DROP INDEX CONCURRENTLY nt_t_id;
