--! Previous: sha1:b4101042e7dc0fe218401822ac565fcceaf453b2
--! Hash: sha1:e25550e48fd0f9b18a84653a4a6e52c1309eb14f
--! Message: private schema

create schema if not exists app_private;
create table app_private.user_secrets (
  user_id int primary key references app.users on delete cascade,
  password_hash text
);
