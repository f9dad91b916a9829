CREATE TABLE t (v text, id serial PRIMARY KEY);
