-- Concurrently-minded readers: this ordinary migration only mentions
-- CREATE INDEX CONCURRENTLY in comments and strings; it is transactional.
-- +up
CREATE TABLE wordy (note text DEFAULT 'run CREATE INDEX CONCURRENTLY later');
/* VACUUM and CONCURRENTLY in a block comment */
CREATE INDEX wordy_note ON wordy (note);
COMMENT ON TABLE wordy IS 'concurrently; vacuum; alter system';
-- +down
DROP TABLE wordy;
