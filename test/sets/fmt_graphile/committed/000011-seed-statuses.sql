--! Previous: sha1:ff94d28e997d463536e53e3d249401ed1da3b3a3
--! Hash: sha1:5eb9fd7d998149de7435c9e56cf7c685505f672f
--! Message: seed statuses

create table app.task_status_labels (status app.task_status primary key, label text not null);
insert into app.task_status_labels values ('todo', 'To do'), ('doing', 'In progress'), ('done', 'Done');
