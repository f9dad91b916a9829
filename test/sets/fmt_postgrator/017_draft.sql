-- not a migration either: Number('017_draft') is NaN
SELECT 1/0;
