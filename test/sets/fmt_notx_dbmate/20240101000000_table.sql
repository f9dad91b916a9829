-- migrate:up
CREATE TABLE dm_t (id int);

-- migrate:down
DROP TABLE dm_t;
