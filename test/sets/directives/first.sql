-- revision: ae1027a6acf
-- down_revision: none
-- message: create widgets

-- +up
CREATE TABLE widgets (id int PRIMARY KEY);
-- +down
DROP TABLE widgets;
