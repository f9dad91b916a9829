-- Could not auto-generate a down migration.
-- Please write an appropriate down migration for the SQL below:
-- CREATE VIEW "public"."open_todos" AS
--   SELECT id, title, user_id FROM todos WHERE NOT is_done;
DROP VIEW "public"."open_todos";
