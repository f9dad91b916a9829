--liquibase formatted sql

--changeset dave:audit-1 labels:"audit, ops"
CREATE SCHEMA audit;
--rollback DROP SCHEMA audit;

--changeset dave:audit-2 contextFilter:"!test"
CREATE TABLE audit.events (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor text,
    payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_at_brin ON audit.events USING brin (at);
--rollback DROP TABLE audit.events;

--changeset dave:audit-3
--comment trigger that records order changes
CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit.events (actor, payload) VALUES (current_user, to_jsonb(NEW));
    RETURN NEW;
END $$;
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION audit.record();
--rollback DROP TRIGGER orders_audit ON orders;
--rollback DROP FUNCTION audit.record();
