-- +up
CREATE TABLE trace_parent (id int PRIMARY KEY);
CREATE TABLE trace_orders (id int PRIMARY KEY, n int, note varchar, ref int);
