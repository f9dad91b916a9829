DROP INDEX IF EXISTS "public"."todos_user_id_idx";
