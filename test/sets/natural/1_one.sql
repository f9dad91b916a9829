CREATE TABLE nat_1 (id int);
