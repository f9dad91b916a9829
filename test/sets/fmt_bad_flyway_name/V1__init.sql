CREATE TABLE fw_a (id int);
