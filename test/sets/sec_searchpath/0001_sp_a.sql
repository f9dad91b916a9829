-- Objects are schema-qualified: the test's caller has a hostile search_path.
-- +up
CREATE TABLE public.sec_sp_a (id int);
-- +down
DROP TABLE public.sec_sp_a;
