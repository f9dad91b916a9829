DROP TABLE ss.items;
