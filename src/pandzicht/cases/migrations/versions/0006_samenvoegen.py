"""merge the parallel branches (accounts 0002a; case work 0005k) into one head

Revision ID: 0006s
Revises: 0002a, 0005k
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0006s"
down_revision = ("0002a", "0005k")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
