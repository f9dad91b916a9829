-- +up
CREATE TABLE public.sec_sp_b (id int);
-- +down
DROP TABLE public.sec_sp_b;
