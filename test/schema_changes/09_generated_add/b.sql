CREATE TABLE t (a int, b int, c int GENERATED ALWAYS AS (a * 2) STORED);
