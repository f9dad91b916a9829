-- down_revision: a
-- +up
SELECT 1;
