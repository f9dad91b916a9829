CREATE TABLE sq_second (id int);
