-- +up
CREATE TABLE fs_one (id int);

CREATE TABLE fs_two (
    id int,
    name text,,
    note text
);
