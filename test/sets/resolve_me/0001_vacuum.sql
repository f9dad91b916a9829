-- transactional: false
-- +up
CREATE TABLE rm_t (id int);
VACUUM rm_t;
SELECT no_such_function();
-- +down
DROP TABLE rm_t;
