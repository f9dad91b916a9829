CREATE TYPE addr AS (street text, city text COLLATE "C");
CREATE FUNCTION mk() RETURNS addr LANGUAGE sql AS $$SELECT ROW('x', 'y')::addr$$;
