-- down_revision: b
-- +up
SELECT 1;
