ALTER TABLE od_items ADD COLUMN b int;
