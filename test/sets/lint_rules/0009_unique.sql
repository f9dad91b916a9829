-- +up
ALTER TABLE big ADD CONSTRAINT big_email_key UNIQUE (email);
ALTER TABLE big ADD CONSTRAINT big_tag_key UNIQUE USING INDEX big_tag_idx;
ALTER TABLE big ADD CONSTRAINT big_id_excl EXCLUDE USING btree (id WITH =);
ALTER TABLE fresh ADD CONSTRAINT fresh_id_excl EXCLUDE USING btree (id WITH =);
ALTER TABLE fresh ADD PRIMARY KEY (id);
