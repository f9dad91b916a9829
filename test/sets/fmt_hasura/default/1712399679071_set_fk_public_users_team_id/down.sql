alter table "public"."users" drop constraint "users_team_id_fkey";
