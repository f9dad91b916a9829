-- +up
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, n int, note text, ref int);
