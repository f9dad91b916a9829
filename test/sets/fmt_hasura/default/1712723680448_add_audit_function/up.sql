CREATE FUNCTION audit.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit.log(table_name, "row") VALUES (TG_TABLE_NAME, to_jsonb(NEW));
  RETURN NEW;
END $$;
CREATE TRIGGER todos_audit AFTER INSERT OR UPDATE ON public.todos FOR EACH ROW EXECUTE FUNCTION audit.log_change();
