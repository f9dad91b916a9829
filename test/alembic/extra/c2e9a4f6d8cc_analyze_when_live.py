"""analyze customers on a live connection

Not part of the project's versions/: test/t_alembic.sh copies it there in a
third copy of the project.  Its upgrade() acts only on a real connection,
so offline it renders no statement although it is not "pass".

Revision ID: c2e9a4f6d8cc
Revises: b1d8f3e5c7bb
Create Date: 2026-11-12 09:00:00.000000

"""
from alembic import op

revision = "c2e9a4f6d8cc"
down_revision = "b1d8f3e5c7bb"
branch_labels = None
depends_on = None


def upgrade():
    if hasattr(op.get_bind(), "in_transaction"):
        op.execute("ANALYZE customers")


def downgrade():
    pass
