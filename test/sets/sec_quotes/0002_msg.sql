-- message: O'Reilly said "hi"; $$ $body$ \' '' \\ -- not a comment
-- +up
CREATE TABLE public.sec_q2 (v text DEFAULT $$it's "q"$$);
