-- extended statistics (CREATE STATISTICS) added: kinds, columns, an
-- expression, a statistics target and a comment
CREATE TABLE person (id int PRIMARY KEY, city text, zip text, born date);
