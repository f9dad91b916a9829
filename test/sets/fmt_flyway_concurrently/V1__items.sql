CREATE TABLE fc_items (id int PRIMARY KEY, code text);
