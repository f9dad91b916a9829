alter table "public"."todos" drop column "due";
