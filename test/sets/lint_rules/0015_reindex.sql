-- +up
REINDEX TABLE big;
