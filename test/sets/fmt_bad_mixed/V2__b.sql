CREATE TABLE mixed_b (id int);
