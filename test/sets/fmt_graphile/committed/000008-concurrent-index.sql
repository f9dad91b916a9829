--! Previous: sha1:e1d35316ccab80610471089442114bef6e12d975
--! Hash: sha1:006c114eac5961ceaf836647347f9133f1e36720
--! Message: concurrent index

--! no-transaction
create index concurrently if not exists projects_title_idx on app.projects (lower(title));
