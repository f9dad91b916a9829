-- create_orgs
CREATE TABLE app.orgs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL
);

---- create above / drop below ----

DROP TABLE app.orgs;
