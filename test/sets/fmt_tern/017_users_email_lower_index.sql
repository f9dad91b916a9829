---- tern: disable-tx ----
-- users_email_lower_index
CREATE INDEX CONCURRENTLY users_email_lower_idx ON app.users (lower(email));

---- create above / drop below ----

DROP INDEX CONCURRENTLY app.users_email_lower_idx;
