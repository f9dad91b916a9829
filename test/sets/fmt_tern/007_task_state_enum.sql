-- task_state_enum
CREATE TYPE app.task_state AS ENUM ('open', 'done');

---- create above / drop below ----

DROP TYPE app.task_state;
