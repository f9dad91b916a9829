CREATE VIEW "public"."open_todos" AS
  SELECT id, title, user_id FROM todos WHERE NOT is_done;
