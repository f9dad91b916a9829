-- +goose up
CREATE SCHEMA app;

-- +goose Down
DROP SCHEMA app;
