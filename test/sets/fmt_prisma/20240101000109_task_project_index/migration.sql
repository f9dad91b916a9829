-- Task project index
CREATE INDEX tasks_project_idx ON app.tasks (project_id);
