BEGIN; CREATE TABLE sr_users (id int, office int REFERENCES sr_head (id)); COMMIT;
