-- lock_timeout: 0
-- +up
ALTER TABLE big ADD COLUMN x int;
SELECT 1;
SET lock_timeout = '2s';
ALTER TABLE big ADD COLUMN y int;
