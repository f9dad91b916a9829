-- a schema dump kept next to the plan: not a migration
CREATE TABLE not_a_migration (id int);
