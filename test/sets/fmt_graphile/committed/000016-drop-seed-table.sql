--! Previous: sha1:51e883f9df5ecb2674689f3f064ce53ac9e0e599
--! Hash: sha1:f9ae95efaa3914b8b83b92f2a1344c825f190daa
--! Message: drop seed table

drop table if exists app.task_status_labels;
alter type app.task_status add value if not exists 'blocked' after 'doing';
