DROP INDEX app.tasks_project_idx;
