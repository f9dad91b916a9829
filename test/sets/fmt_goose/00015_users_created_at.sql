-- +goose Up
SET TIME ZONE 'UTC';
ALTER TABLE app.users ADD COLUMN created_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00';

-- +goose Down
ALTER TABLE app.users DROP COLUMN created_at;
