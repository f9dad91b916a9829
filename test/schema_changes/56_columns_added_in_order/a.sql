-- columns added to an existing table in another order than their names'
CREATE TABLE acct (id int PRIMARY KEY, name text);
