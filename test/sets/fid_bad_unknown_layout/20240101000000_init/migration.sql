CREATE TABLE pu (id int);
