"""reporting view over invoices

On the reporting branch; needs the invoices table of the main branch
without being its child.

Revision ID: 7f4b1d5e9a77
Revises: 5d2f9b3c7e55
Create Date: 2026-11-07 09:00:00.000000

"""
from alembic import op

revision = "7f4b1d5e9a77"
down_revision = "5d2f9b3c7e55"
branch_labels = None
depends_on = "6e3a0c4d8f66"


def upgrade():
    op.execute(
        """
        CREATE VIEW reporting.invoice_totals AS
            SELECT i.issued_on AS day, sum(o.total) AS total
              FROM invoices i JOIN orders o ON o.id = i.order_id
             GROUP BY i.issued_on
        """
    )


def downgrade():
    op.execute("DROP VIEW reporting.invoice_totals")
