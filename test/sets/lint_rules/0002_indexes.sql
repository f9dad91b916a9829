-- +up
CREATE INDEX big_n ON big (n);
CREATE INDEX small_id ON small (id);
CREATE TABLE fresh (id int, n int);
CREATE INDEX fresh_id ON fresh (id);
DROP INDEX fresh_id;
