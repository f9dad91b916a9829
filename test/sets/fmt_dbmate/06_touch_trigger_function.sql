-- migrate:up
CREATE FUNCTION app.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();  -- a ; inside the body
    RETURN NEW;
END;
$$;

-- migrate:down
DROP FUNCTION app.touch();

