-- Up Migration

CREATE TYPE app.task_state AS ENUM ('open', 'done');

-- Down Migration

DROP TYPE app.task_state;
