-- Up Migration

ALTER TABLE app.users ADD COLUMN org_id bigint REFERENCES app.orgs (id);

-- Down Migration

ALTER TABLE app.users DROP COLUMN org_id;
