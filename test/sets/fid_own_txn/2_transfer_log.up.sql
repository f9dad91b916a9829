-- statements first, then a transaction of the file's own, as golang-migrate
-- and psql run it
CREATE TABLE ot_log (id int, note text);

BEGIN;
INSERT INTO ot_accounts VALUES (1, 100), (2, 0);
UPDATE ot_accounts SET balance = balance - 10 WHERE id = 1;
UPDATE ot_accounts SET balance = balance + 10 WHERE id = 2;
COMMIT;

BEGIN;
INSERT INTO ot_log VALUES (1, 'rolled back');
ROLLBACK;
