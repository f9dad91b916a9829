--! Previous: sha1:c841370c0c3cb876ea08dc3b5dc8a73dd458a055
--! Hash: sha1:51e883f9df5ecb2674689f3f064ce53ac9e0e599
--! Message: task counts view

create or replace view app.project_task_counts as
  select p.id as project_id, count(t.id) as n_tasks
  from app.projects p left join app.tasks t on t.project_id = p.id
  group by p.id;
