CREATE TABLE fs_ok (id int);
