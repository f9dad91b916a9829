-- seed rows loaded by hand, kept next to the migrations: not a migration
INSERT INTO dx_notes VALUES (1);
