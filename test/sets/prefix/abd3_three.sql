CREATE TABLE px_3 (id int);
