DROP TABLE ot_accounts;
