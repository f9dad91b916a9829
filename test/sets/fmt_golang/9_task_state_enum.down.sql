BEGIN;

ALTER TABLE app.tasks DROP COLUMN state;
DROP TYPE app.task_state;

COMMIT;
