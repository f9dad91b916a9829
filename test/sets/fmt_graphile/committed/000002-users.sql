--! Previous: sha1:3d09d962166fe53b899ebf2b81d56e2b594b5846
--! Hash: sha1:b71b2ac39e50108c09c4e62dae6bd3f91635b55d
--! Message: users

drop table if exists app.users cascade;
create table app.users (
  id serial primary key,
  organization_id int not null references app.organizations on delete cascade,
  username text,
  is_admin boolean not null default false
);
