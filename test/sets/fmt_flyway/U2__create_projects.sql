DROP TABLE app.projects;
