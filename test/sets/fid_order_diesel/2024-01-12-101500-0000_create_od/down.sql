DROP TABLE od_items;
