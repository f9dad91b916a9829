CREATE TABLE fly (id int, n int);
