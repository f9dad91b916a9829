DROP MATERIALIZED VIEW app.project_stats;
