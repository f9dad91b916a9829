--! Previous: sha1:89ada82226d31f57701a2114ea76ebb895eb6e04
--! Hash: sha1:ff94d28e997d463536e53e3d249401ed1da3b3a3
--! Message: updated at trigger

create function app.tg__timestamps() returns trigger as $$
begin
  NEW.updated_at = (case when TG_OP = 'INSERT' then NOW() else greatest(now(), OLD.updated_at + interval '1 millisecond') end);
  return NEW;
end;
$$ language plpgsql volatile set search_path to pg_catalog, public, pg_temp;
alter table app.tasks add column updated_at timestamptz not null default now();
create trigger _100_timestamps before insert or update on app.tasks for each row execute procedure app.tg__timestamps();
