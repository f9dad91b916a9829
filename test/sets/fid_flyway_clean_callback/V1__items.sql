CREATE TABLE fcc_items (id int);
