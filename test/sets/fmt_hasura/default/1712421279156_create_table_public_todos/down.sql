DROP TABLE "public"."todos";
