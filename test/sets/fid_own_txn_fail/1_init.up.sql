CREATE TABLE otf_items (id int PRIMARY KEY);

BEGIN;
INSERT INTO otf_items VALUES (1);
INSERT INTO otf_items VALUES (1 / (SELECT count(*) FROM otf_items WHERE id = 42));
COMMIT;

INSERT INTO otf_items VALUES (3);
