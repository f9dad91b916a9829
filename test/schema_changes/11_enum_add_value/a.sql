CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE t (id int, m mood);
