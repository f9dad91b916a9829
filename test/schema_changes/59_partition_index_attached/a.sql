-- a partitioned index whose partitions' indexes were created apart, under
-- names of their own, and attached (as hatchet's migrations do); one
-- partition keeps the generated name of a clone
CREATE TABLE wal (tenant int NOT NULL, at timestamptz NOT NULL, body text) PARTITION BY HASH (tenant);
CREATE TABLE wal_0 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE wal_1 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE wal_2 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 2);
