-- revision: seed
-- repeatable: true

-- +up
INSERT INTO rp_items VALUES (1, 10), (2, 20) ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price;
