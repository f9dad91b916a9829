-- +up
ALTER TYPE mood ADD VALUE 'happy';
UPDATE big SET feeling = 'happy' WHERE false;
ALTER TYPE mood ADD VALUE 'sad';
