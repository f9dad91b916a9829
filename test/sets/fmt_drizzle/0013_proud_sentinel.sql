CREATE VIEW "public"."published_posts" AS (select "id", "author_id", "title" from "posts" where "posts"."published" = true);
