"""reporting schema

Starts the branch labelled "reporting".

Revision ID: 5d2f9b3c7e55
Revises: 4c1e8a2b6d44
Create Date: 2026-11-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "5d2f9b3c7e55"
down_revision = "4c1e8a2b6d44"
branch_labels = ("reporting",)
depends_on = None


def upgrade():
    op.execute("CREATE SCHEMA reporting")
    op.create_table(
        "daily_totals",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("total", sa.Numeric(12, 2), nullable=False, server_default="0"),
        schema="reporting",
    )


def downgrade():
    op.drop_table("daily_totals", schema="reporting")
    op.execute("DROP SCHEMA reporting")
