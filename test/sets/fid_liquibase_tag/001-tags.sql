--liquibase formatted sql

-- Found on kevinpalis/gobii-db: "tag:version_1.1" on a changeset line.
-- Liquibase 4.28 matches each attribute it knows by its own pattern and
-- ignores other words; so does schema_migrate (see apply_attribute).

--changeset kpalis:lbt-1 context:general splitStatements:false tag:version_1.1
CREATE TABLE lbt_items (id int PRIMARY KEY);
--rollback DROP TABLE lbt_items;

--changeset kpalis:lbt-2 ticket:ABC-12 runInTransaction:false
CREATE INDEX CONCURRENTLY lbt_items_id ON lbt_items (id);
--rollback DROP INDEX lbt_items_id;
