-- migrate:up
ALTER TABLE app.users ADD COLUMN org_id bigint REFERENCES app.orgs (id);
CREATE INDEX users_org_id ON app.users (org_id);

-- migrate:down
DROP INDEX app.users_org_id;
ALTER TABLE app.users DROP COLUMN org_id;

