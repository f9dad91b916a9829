CREATE TYPE addr AS (street text);
CREATE FUNCTION mk() RETURNS addr LANGUAGE sql AS $$SELECT ROW('x')::addr$$;
