CREATE TABLE app.tasks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES app.projects (id) ON DELETE CASCADE,
    title text NOT NULL,
    state app.task_state NOT NULL DEFAULT 'open'
);
