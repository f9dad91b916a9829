BEGIN; CREATE TABLE sc_items (id int PRIMARY KEY, code text); COMMIT;
