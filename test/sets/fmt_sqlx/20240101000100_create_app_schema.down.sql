-- Add down migration script here
DROP SCHEMA app;
