package migrations

// no version prefix: not a migration (goose skips it too)
