DROP TABLE "public"."users";
DROP EXTENSION IF EXISTS pgcrypto;
