CREATE TABLE fc_items (id int);
