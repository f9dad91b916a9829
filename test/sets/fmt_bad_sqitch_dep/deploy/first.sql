CREATE TABLE sq_first (id int);
