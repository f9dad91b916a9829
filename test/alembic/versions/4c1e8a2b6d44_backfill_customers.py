"""backfill customers

A data migration: rows through op.execute and op.bulk_insert.

Revision ID: 4c1e8a2b6d44
Revises: 3b7d5e9f1a33
Create Date: 2026-11-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "4c1e8a2b6d44"
down_revision = "3b7d5e9f1a33"
branch_labels = None
depends_on = None

customers = sa.table(
    "customers",
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("phone", sa.String),
)


def upgrade():
    op.execute("INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com')")
    op.bulk_insert(customers, [
        {"name": "Bob", "email": "bob@example.com", "phone": "+1 555 0100"},
        {"name": "O'Hara", "email": "ohara@example.com", "phone": None},
    ])
    op.execute(
        customers.update()
        .where(customers.c.phone.is_(None))
        .values(phone="unknown")
    )


def downgrade():
    op.execute(
        customers.delete().where(
            customers.c.email.in_(["ada@example.com", "bob@example.com", "ohara@example.com"])
        )
    )
