CREATE DOMAIN code AS varchar(8);
