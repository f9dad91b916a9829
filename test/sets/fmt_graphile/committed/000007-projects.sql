--! Previous: sha1:dd2446c6a74b9180bbabed8a4248dbd8825b29db
--! Hash: sha1:e1d35316ccab80610471089442114bef6e12d975
--! Message: projects

create table app.projects (
  id serial primary key,
  organization_id int not null references app.organizations,
  title text not null check (char_length(title) < 200),
  archived boolean not null default false
);
create index projects_org_idx on app.projects (organization_id) where not archived;
