-- Up Migration

CREATE TABLE app.orgs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL
);

-- Down Migration

DROP TABLE app.orgs;
