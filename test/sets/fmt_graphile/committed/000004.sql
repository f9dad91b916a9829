--! Previous: sha1:0acee4ec9a591bf33d24c124d482eb1962deecb9
--! Hash: sha1:6c78a54a6aae434ddc45394262ec15dda538aa6b

-- a migration without a message
create index on app.users (organization_id);
