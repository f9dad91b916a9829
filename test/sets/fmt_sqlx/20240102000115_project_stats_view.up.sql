CREATE MATERIALIZED VIEW app.project_stats AS
    SELECT project_id, count(*) AS n FROM app.tasks GROUP BY project_id
WITH NO DATA;
