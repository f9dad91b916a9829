DROP TABLE "audit"."log";
