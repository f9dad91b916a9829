-- +goose Up
-- +goose StatementBegin
CREATE TABLE g_t (id int);
-- +goose StatementEnd
