--! Previous: sha1:e25550e48fd0f9b18a84653a4a6e52c1309eb14f
--! Hash: sha1:c841370c0c3cb876ea08dc3b5dc8a73dd458a055
--! Message: rename archived

alter table app.projects rename column archived to is_archived;
