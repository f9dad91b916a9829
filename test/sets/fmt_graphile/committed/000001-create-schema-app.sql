--! Previous: -
--! Hash: sha1:3d09d962166fe53b899ebf2b81d56e2b594b5846
--! Message: create schema app

create schema if not exists app;

create table app.organizations (
  id serial primary key,
  name text not null unique,
  created_at timestamptz not null default now()
);
