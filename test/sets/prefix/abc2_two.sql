CREATE TABLE px_2 (id int);
