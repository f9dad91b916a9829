DROP TABLE "public"."todo_tags";
