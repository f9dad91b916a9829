-- message: order status

-- +up
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';

/* a block comment; with a semicolon */
CREATE FUNCTION order_status_check() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    IF NEW.status NOT IN ('new', 'paid', 'shipped') THEN
        RAISE EXCEPTION 'bad status: %', NEW.status;
    END IF;
    RETURN NEW;
END;
$body$;

CREATE TRIGGER order_status_check BEFORE INSERT OR UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION order_status_check();

-- +down
DROP TRIGGER order_status_check ON orders;
DROP FUNCTION order_status_check();
ALTER TABLE orders DROP COLUMN status;
