DROP TABLE gc_items;
