alter table "public"."teams" rename column "name" to "title";
alter table "public"."teams" add constraint "teams_title_key" unique ("title");
