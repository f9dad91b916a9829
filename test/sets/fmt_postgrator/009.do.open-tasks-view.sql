CREATE VIEW app.open_tasks AS
    SELECT id, project_id, title FROM app.tasks WHERE state = 'open';
