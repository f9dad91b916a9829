--! Previous: sha1:b71b2ac39e50108c09c4e62dae6bd3f91635b55d
--! Hash: sha1:0acee4ec9a591bf33d24c124d482eb1962deecb9
--! Message: citext

create extension if not exists citext with schema public;
alter table app.users alter column username type citext using username::citext;
alter table app.users add constraint users_username_key unique (username);
