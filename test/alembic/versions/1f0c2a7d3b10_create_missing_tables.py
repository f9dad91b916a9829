"""create missing tables

The idempotent initial migration many projects have: it creates the
customers table only when the database does not have it yet, which it
finds out with the inspector, so it needs a live connection.

Revision ID: 1f0c2a7d3b10
Revises:
Create Date: 2026-11-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "1f0c2a7d3b10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("customers"):
        op.create_table(
            "customers",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("email", sa.String(200)),
        )


def downgrade():
    op.drop_table("customers")
