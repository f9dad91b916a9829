--! Previous: sha1:5bf572e32db712160fb9c3d4f05e1f12858b7c8e
--! Hash: sha1:b8b59bda735d651b14c7af5c20f920cc1f2653ee
--! Message: a placeholder of .gmrc

create table ph.t (id int, at time default '12:30'::time);
-- graphile replaces a name after any character, not only a blank
comment on table ph.t is 'visitor :DATABASE_VISITOR, in_:DATABASE_NAME, cast 1::INTEGER, to_char HH24:MI';
