-- Up Migration

CREATE TABLE public.audit_log (
    at timestamptz NOT NULL DEFAULT now(),
    what text NOT NULL
);

-- Down Migration

DROP TABLE public.audit_log;
