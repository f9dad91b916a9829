alter table "public"."todos" add column "due" date
 null;
