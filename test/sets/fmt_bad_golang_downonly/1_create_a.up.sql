CREATE TABLE gm_a (id int);
