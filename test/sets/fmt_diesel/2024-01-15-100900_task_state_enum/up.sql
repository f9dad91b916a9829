CREATE TYPE app.task_state AS ENUM ('open', 'done');
ALTER TABLE app.tasks ADD COLUMN state app.task_state NOT NULL DEFAULT 'open';
