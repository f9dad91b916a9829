-- message: typo ahead
-- down_revison: none

-- +up
SELECT 1;
