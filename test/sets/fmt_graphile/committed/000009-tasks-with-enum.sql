--! Previous: sha1:006c114eac5961ceaf836647347f9133f1e36720
--! Hash: sha1:89ada82226d31f57701a2114ea76ebb895eb6e04
--! Message: tasks with enum

create type app.task_status as enum ('todo', 'doing', 'done');
create table app.tasks (
  id bigserial primary key,
  project_id int not null references app.projects on delete cascade,
  status app.task_status not null default 'todo',
  body text
);
