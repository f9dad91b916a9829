SET search_path = app, public;
DROP TABLE tasks;
