CREATE TABLE dx_notes (id int PRIMARY KEY);
