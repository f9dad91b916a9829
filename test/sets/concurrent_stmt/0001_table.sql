CREATE TABLE cs_t (id int);
