DROP TRIGGER todos_audit ON public.todos;
DROP FUNCTION audit.log_change();
