CREATE INDEX fly_n ON fly (n);
-- the table is measured small at deploy time: approved
-- allow: table_lock, rewrite
ALTER TABLE fly ALTER COLUMN n TYPE bigint;
