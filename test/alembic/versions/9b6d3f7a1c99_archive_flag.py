"""archive flag on orders

Revision ID: 9b6d3f7a1c99
Revises: 8a5c2e6f0b88
Create Date: 2026-11-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "9b6d3f7a1c99"
down_revision = "8a5c2e6f0b88"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("archived", sa.Boolean, nullable=False,
                                      server_default=sa.false()))
    op.create_index("ix_orders_open", "orders", ["created_at"],
                    postgresql_where=sa.text("NOT archived"))


def downgrade():
    op.drop_index("ix_orders_open", table_name="orders")
    op.drop_column("orders", "archived")
