-- down_revision: c
-- +up
SELECT 1;
