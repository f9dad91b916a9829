drop schema "audit" cascade;
