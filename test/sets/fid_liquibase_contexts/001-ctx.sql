--liquibase formatted sql

--changeset kpalis:ctx-1 context:general
CREATE TABLE lbc_contact (id int PRIMARY KEY, crop text);

--changeset kpalis:ctx-2
CREATE TABLE lbc_always (id int);

--changeset kpalis:ctx-3 context:seed_rice
INSERT INTO lbc_contact VALUES (1, 'rice');

--changeset kpalis:ctx-4 context:seed_wheat
INSERT INTO lbc_contact VALUES (1, 'wheat');

--changeset kpalis:ctx-5 context:"seed_wheat, seed_rice"
CREATE TABLE lbc_either (id int);

--changeset kpalis:ctx-6 context:!seed_wheat
CREATE TABLE lbc_not_wheat (id int);

--changeset kpalis:ctx-7 context:"general and seed_wheat"
CREATE TABLE lbc_both (id int);

--changeset kpalis:ctx-8 context:"(seed_wheat or general) and !meta"
CREATE TABLE lbc_grouped (id int);
