DROP TABLE fc_items;
