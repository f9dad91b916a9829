--! Previous: sha1:9ad0a20f68c6d2eb918f81764f7d542f8ab2accf
--! Hash: sha1:dd2446c6a74b9180bbabed8a4248dbd8825b29db
--! Message: row level security

alter table app.users enable row level security;
create policy select_self on app.users for select using (id = app.current_user_id());
