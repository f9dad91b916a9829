DROP TABLE "public"."priority";
