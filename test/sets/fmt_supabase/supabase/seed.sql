INSERT INTO app.orgs (title) VALUES ('Acme');
