DROP FUNCTION app.project_count();
