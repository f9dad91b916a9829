-- skipped: the name does not match <timestamp>_name.sql
SELECT 1/0;
