ALTER TABLE app.users DROP COLUMN org_id;
