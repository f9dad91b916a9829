CREATE TABLE od_items (a int);
