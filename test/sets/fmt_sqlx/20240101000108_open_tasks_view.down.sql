DROP VIEW app.open_tasks;
