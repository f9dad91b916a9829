-- +GOOSE UP
ALTER TABLE app.orgs RENAME COLUMN name TO display_name;
ALTER TABLE app.orgs ADD CONSTRAINT orgs_display_name_len CHECK (length(display_name) <= 200);

-- +goose Down
ALTER TABLE app.orgs DROP CONSTRAINT orgs_display_name_len;
ALTER TABLE app.orgs RENAME COLUMN display_name TO name;
