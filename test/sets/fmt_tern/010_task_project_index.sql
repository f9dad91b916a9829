-- task_project_index
CREATE INDEX tasks_project_idx ON app.tasks (project_id);

---- create above / drop below ----

DROP INDEX app.tasks_project_idx;
