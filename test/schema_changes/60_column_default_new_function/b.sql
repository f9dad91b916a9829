CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint LANGUAGE sql
    AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $$;
CREATE TABLE files (id bigint PRIMARY KEY, name text,
    created_at bigint NOT NULL DEFAULT now_utc_micro_seconds(),
    owner_id bigint, size bigint DEFAULT 0);
