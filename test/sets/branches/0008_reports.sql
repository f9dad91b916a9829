-- down_revision: 0007

-- +up
CREATE VIEW br_report AS SELECT count(*) AS n FROM br_payments;
-- +down
DROP VIEW br_report;
