-- Add up migration script here
CREATE SCHEMA app;
