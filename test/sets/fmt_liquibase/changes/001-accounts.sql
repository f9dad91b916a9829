--liquibase formatted sql

--changeset alice:1 labels:core context:prod,dev
--comment: accounts table
CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
--rollback DROP TABLE accounts;

--changeset alice:2
-- an ordinary SQL comment stays part of the changeset
ALTER TABLE accounts ADD COLUMN display_name varchar(100);
ALTER TABLE accounts ADD COLUMN is_active boolean NOT NULL DEFAULT true;
--rollback ALTER TABLE accounts DROP COLUMN is_active;
--rollback ALTER TABLE accounts DROP COLUMN display_name;

--changeset "bob.smith@example.com":"add account index" runInTransaction:false
CREATE INDEX CONCURRENTLY accounts_active_idx ON accounts (created_at) WHERE is_active;
--rollback DROP INDEX CONCURRENTLY accounts_active_idx;

--changeset alice:3 endDelimiter:/
CREATE FUNCTION account_label(a accounts) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN coalesce(a.display_name, a.email);
END;
$$
/
COMMENT ON FUNCTION account_label(accounts) IS 'display name or email'
/
--rollback DROP FUNCTION account_label(accounts);

--changeset alice:4 dbms:oracle
CREATE TABLE accounts_ora (id NUMBER(19) PRIMARY KEY);
--rollback DROP TABLE accounts_ora;

--changeset alice:5 dbms:postgresql,h2
CREATE TYPE account_tier AS ENUM ('free', 'pro', 'enterprise');
ALTER TABLE accounts ADD COLUMN tier account_tier NOT NULL DEFAULT 'free';
/* liquibase rollback
ALTER TABLE accounts DROP COLUMN tier;
DROP TYPE account_tier;
*/
