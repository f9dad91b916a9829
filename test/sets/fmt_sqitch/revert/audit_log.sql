-- Revert fmtapp:audit_log from pg

BEGIN;

DROP TABLE audit_log;

COMMIT;
