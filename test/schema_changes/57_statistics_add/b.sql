CREATE TABLE person (id int PRIMARY KEY, city text, zip text, born date);
CREATE STATISTICS person_city_zip (ndistinct, dependencies) ON city, zip FROM person;
CREATE STATISTICS person_all ON city, zip, born FROM person;
CREATE STATISTICS person_born_year ON (extract(year FROM born)) FROM person;
ALTER STATISTICS person_all SET STATISTICS 500;
COMMENT ON STATISTICS person_city_zip IS 'city and zip are correlated';
