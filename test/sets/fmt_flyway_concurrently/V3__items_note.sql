ALTER TABLE fc_items ADD COLUMN note text;
