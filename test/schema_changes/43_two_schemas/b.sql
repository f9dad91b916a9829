CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE app.item (id int PRIMARY KEY, price numeric);
CREATE TABLE audit.log (id int, item_id int REFERENCES app.item (id));
CREATE TABLE public.log (id int);
CREATE VIEW audit.v AS SELECT l.id, i.price FROM audit.log l JOIN app.item i ON i.id = l.item_id;
