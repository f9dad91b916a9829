CREATE TABLE "public"."teams" ("id" serial NOT NULL, "name" text NOT NULL, PRIMARY KEY ("id") );
