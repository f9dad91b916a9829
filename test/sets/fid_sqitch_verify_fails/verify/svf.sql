SELECT 1 / count(*) FROM svf;
