CREATE TABLE ot_accounts (id int PRIMARY KEY, balance int NOT NULL DEFAULT 0);
