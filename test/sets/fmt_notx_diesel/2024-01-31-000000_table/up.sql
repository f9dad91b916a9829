CREATE TABLE d_t (id int);
