-- a partition made apart (LIKE, no defaults) and attached keeps no default
-- where its parent has one; PARTITION OF alone would give it the parent's
CREATE TABLE ev (at date NOT NULL, made timestamptz NOT NULL DEFAULT now(), st text DEFAULT 'new') PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
