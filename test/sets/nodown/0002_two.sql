CREATE TABLE nd_2 (id int);
