CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL);
INSERT INTO events VALUES (1, now());
