--! Previous: sha1:6c78a54a6aae434ddc45394262ec15dda538aa6b
--! Hash: sha1:9ad0a20f68c6d2eb918f81764f7d542f8ab2accf
--! Message: current user id function

create or replace function app.current_user_id() returns int as $$
  select nullif(current_setting('jwt.claims.user_id', true), '')::int;
$$ language sql stable;
comment on function app.current_user_id() is 'The id of the user who is logged in.';
