ALTER TABLE app.users ADD COLUMN org_id bigint REFERENCES app.orgs (id);
---- create above / drop below ---- -- undo:
ALTER TABLE app.users DROP COLUMN org_id;
