DROP FUNCTION app.touch();
