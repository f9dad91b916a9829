package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

func init() {
	goose.AddMigrationContext(upCreateOrders, downCreateOrders)
}

func upCreateOrders(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "CREATE TABLE gg_orders (id int PRIMARY KEY, user_id int REFERENCES gg_users)")
	return err
}

func downCreateOrders(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "DROP TABLE gg_orders")
	return err
}
