-- +goose Up
CREATE INDEX gg_orders_user ON gg_orders (user_id);

-- +goose Down
DROP INDEX gg_orders_user;
