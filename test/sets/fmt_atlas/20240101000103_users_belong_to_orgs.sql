ALTER TABLE app.users ADD COLUMN org_id bigint REFERENCES app.orgs (id);
