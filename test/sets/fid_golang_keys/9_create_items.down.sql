DROP TABLE gk_items;
