CREATE TABLE mixed_a (id int);
