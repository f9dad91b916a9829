-- down_revision: 0004, 0006
-- message: merge billing and search
-- +up

-- +down

