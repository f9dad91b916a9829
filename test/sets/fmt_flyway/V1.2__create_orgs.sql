CREATE TABLE app.orgs (
    id bigserial PRIMARY KEY,
    name text NOT NULL
);
