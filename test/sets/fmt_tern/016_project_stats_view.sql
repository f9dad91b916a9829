-- project_stats_view
CREATE MATERIALIZED VIEW app.project_stats AS
    SELECT project_id, count(*) AS n FROM app.tasks GROUP BY project_id
WITH NO DATA;

---- create above / drop below ----

DROP MATERIALIZED VIEW app.project_stats;
