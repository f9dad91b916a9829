-- new columns, one of them with a default that calls a function created
-- in the same step (ente): all land in their target order
CREATE TABLE files (id bigint PRIMARY KEY, name text);
