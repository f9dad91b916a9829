CREATE TYPE pri AS ENUM ('high', 'low');
CREATE TABLE task (id int, p pri NOT NULL);
