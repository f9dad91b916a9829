CREATE TABLE ss.items (id int);
