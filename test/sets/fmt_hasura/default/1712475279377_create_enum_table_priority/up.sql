CREATE TABLE "public"."priority" ("value" text NOT NULL, "comment" text, PRIMARY KEY ("value") );
INSERT INTO "public"."priority"("value", "comment") VALUES (E'low', E'Low'), (E'high', E'High');
