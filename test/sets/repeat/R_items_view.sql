-- revision: items_view
-- repeatable: true

-- +up
CREATE OR REPLACE VIEW rp_items_priced AS
    SELECT id, price, price * 1.2 AS price_with_tax FROM rp_items;
