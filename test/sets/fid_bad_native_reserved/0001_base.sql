-- revision: base
CREATE TABLE nr (id int);
