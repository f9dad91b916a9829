alter table "public"."users" drop column "team_id";
