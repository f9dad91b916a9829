CREATE TABLE svf (id int);
CREATE INDEX CONCURRENTLY svf_id ON svf (id);
