CREATE TABLE acct (id int PRIMARY KEY, name text, zeta text, alpha int DEFAULT 1, mid boolean NOT NULL DEFAULT false);
