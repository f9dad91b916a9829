DROP TABLE "public"."teams";
