CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author, title text, UNIQUE (author_id, title));
CREATE TABLE review (id int, book_id int REFERENCES book ON DELETE CASCADE, CHECK (id > 0));
