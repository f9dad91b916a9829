-- statement_timeout: 100ms

-- +up
CREATE TABLE st_t (id int);
SELECT pg_sleep(2);
