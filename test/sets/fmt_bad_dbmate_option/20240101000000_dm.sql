-- migrate:up transaction:maybe
CREATE TABLE dm (id int);

-- migrate:down
DROP TABLE dm;
