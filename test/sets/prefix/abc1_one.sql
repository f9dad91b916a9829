CREATE TABLE px_1 (id int);
