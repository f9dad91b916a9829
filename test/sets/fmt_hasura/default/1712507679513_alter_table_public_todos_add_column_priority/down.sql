alter table "public"."todos" drop constraint "todos_priority_fkey";
alter table "public"."todos" drop column "priority";
