"""meldpunt: when the reporter saw it (optional date)

Revision ID: 0004m
Revises: 0003c
Create Date: 2026-12-02

The tip form asks "Wanneer zag u dit?"; the answer is a date, optional, never in the future.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004m"
down_revision = "0003c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("melding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gezien_op", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("melding", schema=None) as batch_op:
        batch_op.drop_column("gezien_op")
