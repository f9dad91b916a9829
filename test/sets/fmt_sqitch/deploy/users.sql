-- Deploy fmtapp:users to pg
-- requires: appschema

BEGIN;

CREATE TABLE app.users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE
);

COMMIT;
