--! Previous: sha1:f9ae95efaa3914b8b83b92f2a1344c825f190daa
--! Hash: sha1:339a6899da36472e16863a5623346f2cabe2b9a9
--! Message: deadline

alter table app.tasks add column deadline date;
comment on column app.tasks.deadline is E'When it is due.\nOptional.';
