-- +goose Up
CREATE TABLE gg_users (id int PRIMARY KEY, name text);

-- +goose Down
DROP TABLE gg_users;
