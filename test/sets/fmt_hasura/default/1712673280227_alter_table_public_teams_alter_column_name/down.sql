alter table "public"."teams" drop constraint "teams_title_key";
alter table "public"."teams" rename column "title" to "name";
