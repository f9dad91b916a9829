CREATE TABLE nat_2 (id int);
