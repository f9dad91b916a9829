CREATE  INDEX "todos_user_id_idx" on
  "public"."todos" using btree ("user_id");
