DROP TABLE app.orgs;
