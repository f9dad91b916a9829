DROP INDEX app.users_org_id;
ALTER TABLE app.users DROP COLUMN org_id;
