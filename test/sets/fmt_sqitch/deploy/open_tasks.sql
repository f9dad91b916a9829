-- Deploy fmtapp:open_tasks to pg
-- requires: task_state

BEGIN;

CREATE VIEW app.open_tasks AS
    SELECT id, project_id, title FROM app.tasks WHERE state = 'open';

COMMIT;
