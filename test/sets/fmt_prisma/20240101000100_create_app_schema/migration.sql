-- Create app schema
CREATE SCHEMA app;
