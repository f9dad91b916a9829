-- +up
ALTER TABLE big ADD COLUMN created timestamptz DEFAULT clock_timestamp();
ALTER TABLE big ADD COLUMN flag boolean DEFAULT false;
ALTER TABLE big ADD COLUMN sid serial;
ALTER TABLE fresh ADD COLUMN made timestamptz DEFAULT clock_timestamp();
