CREATE TABLE nat_10 (id int);
