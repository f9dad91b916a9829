"""orders with a status enum

Revision ID: 2a9e41c05d22
Revises: 1f0c2a7d3b10
Create Date: 2026-11-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "2a9e41c05d22"
down_revision = "1f0c2a7d3b10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("status", sa.Enum("new", "paid", "shipped", name="order_status"),
                  nullable=False, server_default="new"),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("orders")
    op.execute("DROP TYPE order_status")
