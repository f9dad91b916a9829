CREATE TABLE gk_items (id int);
