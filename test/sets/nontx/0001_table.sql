CREATE TABLE nt_t (id int);
