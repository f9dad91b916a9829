-- migrate:up
CREATE TABLE app.orgs (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);

-- migrate:down
DROP TABLE app.orgs;

