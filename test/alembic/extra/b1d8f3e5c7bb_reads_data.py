"""normalise unknown phones

Not part of the project's versions/: test/t_alembic.sh copies it there in a
third copy of the project.  It branches on data it reads through the
connection: offline, the query returns nothing and the loop does nothing.

Revision ID: b1d8f3e5c7bb
Revises: 9b6d3f7a1c99
Create Date: 2026-11-11 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "b1d8f3e5c7bb"
down_revision = "9b6d3f7a1c99"
branch_labels = None
depends_on = None


def upgrade():
    rows = op.get_bind().execute(sa.text("SELECT id FROM customers WHERE phone = 'unknown'"))
    for (customer_id,) in rows or []:
        op.execute(sa.text("UPDATE customers SET phone = NULL WHERE id = %d" % customer_id))


def downgrade():
    pass
