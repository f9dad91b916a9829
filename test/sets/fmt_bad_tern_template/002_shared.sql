{{ template "shared/audit.sql" . }}
---- create above / drop below ----
