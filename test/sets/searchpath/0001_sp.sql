CREATE TABLE sp_t (id int);
