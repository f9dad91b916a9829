-- A table with an identity column, owned by whoever migrates.
-- +up
CREATE TABLE sec_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
-- +down
DROP TABLE sec_items;
