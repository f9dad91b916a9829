-- open_tasks_view
CREATE VIEW app.open_tasks AS
    SELECT id, project_id, title FROM app.tasks WHERE state = 'open';

---- create above / drop below ----

DROP VIEW app.open_tasks;
