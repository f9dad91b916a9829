-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY dm_t_id ON dm_t (id);

-- migrate:down
DROP INDEX CONCURRENTLY dm_t_id;
