-- +goose Up
CREATE TABLE app.orgs (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

-- +goose Down
DROP TABLE app.orgs;
