CREATE TYPE pri AS ENUM ('low', 'high');
CREATE TABLE task (id int, p pri NOT NULL);
