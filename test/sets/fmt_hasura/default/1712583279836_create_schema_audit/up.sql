create schema "audit";
