"""batch of column changes

Revision ID: 3b7d5e9f1a33
Revises: 2a9e41c05d22
Create Date: 2026-11-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "3b7d5e9f1a33"
down_revision = "2a9e41c05d22"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("phone", sa.String(30)))
        batch.alter_column("email", existing_type=sa.String(200), nullable=False,
                           server_default="")
        batch.create_unique_constraint("uq_customers_email", ["email"])
    op.alter_column("orders", "amount", new_column_name="total",
                    existing_type=sa.Numeric(10, 2))
    op.add_column("orders", sa.Column("note", sa.Text))
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_check_constraint("ck_orders_amount_positive", "orders", "total > 0")


def downgrade():
    op.drop_constraint("ck_orders_amount_positive", "orders", type_="check")
    op.drop_index("ix_orders_customer_id", table_name="orders")
    op.drop_column("orders", "note")
    op.alter_column("orders", "total", new_column_name="amount",
                    existing_type=sa.Numeric(10, 2))
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint("uq_customers_email", type_="unique")
        batch.alter_column("email", existing_type=sa.String(200), nullable=True,
                           server_default=None)
        batch.drop_column("phone")
