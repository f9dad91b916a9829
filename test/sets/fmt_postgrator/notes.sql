-- not a migration: Postgrator leaves out files whose version is not a number
SELECT 1/0;
