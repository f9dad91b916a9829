-- touch_function
CREATE FUNCTION app.touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

---- create above / drop below ----

DROP FUNCTION app.touch();
