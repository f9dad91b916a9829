-- the word concurrently in a comment must not matter
-- +up
CREATE TABLE cs_u (note text DEFAULT 'concurrently');
CREATE INDEX CONCURRENTLY cs_t_id ON cs_t (id);
