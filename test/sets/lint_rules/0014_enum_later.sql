-- +up
UPDATE big SET feeling = 'sad' WHERE false;
