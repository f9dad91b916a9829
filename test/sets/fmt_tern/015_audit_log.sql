-- audit_log
CREATE TABLE public.audit_log (
    at timestamptz NOT NULL DEFAULT now(),
    what text NOT NULL
);

---- create above / drop below ----

DROP TABLE public.audit_log;
