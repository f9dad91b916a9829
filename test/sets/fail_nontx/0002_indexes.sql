-- transactional: false

-- +up
CREATE INDEX CONCURRENTLY fn_t_y ON fn_t (y);
CREATE UNIQUE INDEX CONCURRENTLY fn_t_x ON fn_t (x);
CREATE INDEX CONCURRENTLY fn_t_xy ON fn_t (x, y);

-- +down
DROP INDEX CONCURRENTLY fn_t_xy;
DROP INDEX CONCURRENTLY fn_t_x;
DROP INDEX CONCURRENTLY fn_t_y;
