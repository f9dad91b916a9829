ALTER TABLE gk_items ADD COLUMN x int;
