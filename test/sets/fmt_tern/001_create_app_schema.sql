-- create_app_schema
CREATE SCHEMA app;

---- create above / drop below ----

DROP SCHEMA app;
