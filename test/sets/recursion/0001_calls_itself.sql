CREATE TABLE rec_t (id int);
SELECT sm_upgrade('head');
