--! Previous: -
--! Hash: sha1:5bf572e32db712160fb9c3d4f05e1f12858b7c8e
--! Message: owner and database

create schema ph;
comment on schema ph is 'database :DATABASE_NAME, owner :DATABASE_OWNER';
