"""merge reporting into main

Revision ID: 8a5c2e6f0b88
Revises: 6e3a0c4d8f66, 7f4b1d5e9a77
Create Date: 2026-11-08 09:00:00.000000

"""

revision = "8a5c2e6f0b88"
down_revision = ("6e3a0c4d8f66", "7f4b1d5e9a77")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
