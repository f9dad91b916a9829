"""invoices

Revision ID: 6e3a0c4d8f66
Revises: 4c1e8a2b6d44
Create Date: 2026-11-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "6e3a0c4d8f66"
down_revision = "4c1e8a2b6d44"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer,
                  sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("issued_on", sa.Date, nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
