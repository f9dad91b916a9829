CREATE TABLE fr_ok (id int);
