CREATE TABLE gc_items (id int PRIMARY KEY, code text);
