alter table "public"."users" add column "team_id" integer
 null;
