-- migrate:up
SET search_path = app, public;
CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id),
    title text NOT NULL
);
CREATE INDEX tasks_project_id ON tasks (project_id);

-- migrate:down
SET search_path = app, public;
DROP TABLE tasks;

