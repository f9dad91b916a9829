-- The message comes from the file name: quotes and dollars.
-- +up
CREATE TABLE public.sec_q1 (v text);
