--! Previous: sha1:5eb9fd7d998149de7435c9e56cf7c685505f672f
--! Hash: sha1:b4101042e7dc0fe218401822ac565fcceaf453b2
--! Message: comments

create table app.comments (
  id bigserial primary key,
  task_id bigint not null references app.tasks on delete cascade,
  author_id int references app.users on delete set null,
  body text not null,
  created_at timestamptz not null default now()
);
