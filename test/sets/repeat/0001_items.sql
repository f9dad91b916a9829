-- +up
CREATE TABLE rp_items (id int PRIMARY KEY, price numeric);
-- +down
DROP TABLE rp_items;
