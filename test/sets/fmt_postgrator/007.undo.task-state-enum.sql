DROP TYPE app.task_state;
