ALTER TABLE dx_notes ADD COLUMN tags text[];
