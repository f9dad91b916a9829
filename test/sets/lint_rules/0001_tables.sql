-- message: the tables the later migrations change
-- +up
CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE big (
    id int PRIMARY KEY,
    email varchar(10),
    code varchar CONSTRAINT big_code_nn CHECK (code IS NOT NULL),
    n int,
    note text,
    label text,
    ref int,
    tag text,
    old text,
    feeling mood
);
CREATE UNIQUE INDEX big_tag_idx ON big (tag);
CREATE TABLE small (id int, email text);
CREATE TABLE doomed (id int);
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE SCHEMA old_stuff;
