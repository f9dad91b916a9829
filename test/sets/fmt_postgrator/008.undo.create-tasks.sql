DROP TABLE app.tasks;
