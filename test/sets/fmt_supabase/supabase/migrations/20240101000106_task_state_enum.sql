CREATE TYPE app.task_state AS ENUM ('open', 'done');
