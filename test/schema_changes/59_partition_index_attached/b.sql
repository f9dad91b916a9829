CREATE TABLE wal (tenant int NOT NULL, at timestamptz NOT NULL, body text) PARTITION BY HASH (tenant);
CREATE TABLE wal_0 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE wal_1 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE wal_2 PARTITION OF wal FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE INDEX wal_0_poll_idx ON wal_0 (tenant, at);
CREATE INDEX wal_1_poll_idx ON wal_1 (tenant, at);
CREATE INDEX wal_poll_idx ON ONLY wal (tenant, at);
ALTER INDEX wal_poll_idx ATTACH PARTITION wal_0_poll_idx;
ALTER INDEX wal_poll_idx ATTACH PARTITION wal_1_poll_idx;
CREATE INDEX wal_2_tenant_at_idx ON wal_2 (tenant, at);
ALTER INDEX wal_poll_idx ATTACH PARTITION wal_2_tenant_at_idx;
-- a partition added later gets a clone under a generated name
CREATE TABLE wal_old (tenant int NOT NULL, at timestamptz NOT NULL, body text) PARTITION BY RANGE (at);
CREATE TABLE wal_old_2024 PARTITION OF wal_old FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX wal_old_at_idx ON wal_old (at);
CREATE TABLE wal_old_2025 PARTITION OF wal_old FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
