SELECT 1 / count(*) FROM pg_index WHERE indexrelid = 'sc_items_code'::regclass AND indisvalid;
