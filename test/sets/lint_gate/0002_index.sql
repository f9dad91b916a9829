-- +up
CREATE INDEX gated_n ON gated (n);
-- +down
DROP INDEX gated_n;
