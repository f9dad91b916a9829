"""refunded status, invoice date index

Not part of the project's versions/: test/t_alembic.sh copies it there in a
second copy of the project.  Alembic commits around the autocommit block.

Revision ID: a0c7e2d4b6aa
Revises: 9b6d3f7a1c99
Create Date: 2026-11-10 09:00:00.000000

"""
from alembic import op

revision = "a0c7e2d4b6aa"
down_revision = "9b6d3f7a1c99"
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_status ADD VALUE 'refunded'")
        op.create_index("ix_invoices_issued_on", "invoices", ["issued_on"],
                        postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_invoices_issued_on", table_name="invoices",
                      postgresql_concurrently=True)
