CREATE TABLE t (id int, a text);
CREATE INDEX t_a ON t (a);
COMMENT ON TABLE t IS 'the t';
COMMENT ON COLUMN t.a IS 'it''s a';
COMMENT ON INDEX t_a IS 'by a';
