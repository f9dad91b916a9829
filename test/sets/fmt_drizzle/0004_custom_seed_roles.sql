-- Custom SQL migration file, put your code below! --
CREATE TABLE "role_labels" ("role" "role" PRIMARY KEY, "label" text NOT NULL);
INSERT INTO "role_labels" VALUES ('admin', 'Administrator'), ('member', 'Member'), ('guest', 'Guest');
