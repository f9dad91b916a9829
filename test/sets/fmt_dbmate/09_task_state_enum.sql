-- migrate:up
CREATE TYPE app.task_state AS ENUM ('open', 'done');
ALTER TABLE app.tasks ADD COLUMN state app.task_state NOT NULL DEFAULT 'open';

-- migrate:down
ALTER TABLE app.tasks DROP COLUMN state;
DROP TYPE app.task_state;

