CREATE TABLE u (id bigint);
