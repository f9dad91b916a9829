CREATE TYPE st AS ENUM ('draft', 'done');
CREATE TABLE doc (id int, s st DEFAULT 'draft', ss st[]);
CREATE VIEW drafts AS SELECT id FROM doc WHERE s = 'draft';
