alter table "public"."todos" add column "priority" text
 not null default 'low';
alter table "public"."todos"
  add constraint "todos_priority_fkey"
  foreign key ("priority")
  references "public"."priority"
  ("value") on update restrict on delete restrict;
