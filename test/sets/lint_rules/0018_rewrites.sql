-- transactional: false
-- +up
VACUUM FULL big;
