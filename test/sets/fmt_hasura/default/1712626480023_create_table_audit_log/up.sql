CREATE TABLE "audit"."log" ("id" bigserial NOT NULL, "at" timestamptz NOT NULL DEFAULT now(), "table_name" text NOT NULL, "row" jsonb, PRIMARY KEY ("id") );
COMMENT ON TABLE "audit"."log" IS E'Changes to tracked tables';
