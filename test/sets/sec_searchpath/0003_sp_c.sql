-- +up
CREATE TABLE public.sec_sp_c (id int);
-- +down
DROP TABLE public.sec_sp_c;
