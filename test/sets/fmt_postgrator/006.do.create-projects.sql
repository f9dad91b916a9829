CREATE TABLE app.projects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id bigint NOT NULL REFERENCES app.orgs (id),
    name text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER projects_touch BEFORE UPDATE ON app.projects
    FOR EACH ROW EXECUTE FUNCTION app.touch();
