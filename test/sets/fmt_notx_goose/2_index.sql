-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY g_t_id ON g_t (id);
-- +goose Down
DROP INDEX CONCURRENTLY g_t_id;
