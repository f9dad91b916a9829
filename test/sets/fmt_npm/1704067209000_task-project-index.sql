-- Up Migration

CREATE INDEX tasks_project_idx ON app.tasks (project_id);

-- Down Migration

DROP INDEX app.tasks_project_idx;
