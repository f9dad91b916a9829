ALTER TABLE app.orgs RENAME COLUMN name TO display_name;
ALTER TABLE app.orgs ADD CONSTRAINT orgs_display_name_len CHECK (length(display_name) <= 200);
