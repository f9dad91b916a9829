-- allow: rewrite, rewrites
-- +up
CLUSTER big USING big_pkey;
