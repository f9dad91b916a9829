CREATE SCHEMA app;
CREATE TABLE app.item (id int PRIMARY KEY);
CREATE TABLE public.log (id int);
