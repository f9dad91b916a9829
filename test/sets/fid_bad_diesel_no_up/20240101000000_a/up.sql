CREATE TABLE bdu (id int);
