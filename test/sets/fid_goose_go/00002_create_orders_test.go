package migrations

// a Go test file: goose skips it, and so does schema_migrate
