CREATE TABLE booking (id int UNIQUE, room int, during tsrange, EXCLUDE USING gist (during WITH &&));
