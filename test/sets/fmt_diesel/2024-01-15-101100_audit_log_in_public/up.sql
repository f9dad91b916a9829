-- no search_path here: this table belongs in public, whatever an earlier
-- migration set for itself
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    what text NOT NULL
);
