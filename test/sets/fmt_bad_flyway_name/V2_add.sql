CREATE TABLE fw_b (id int);
