-- migrate:up
CREATE TABLE app.users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE
);

-- migrate:down
DROP TABLE app.users;

