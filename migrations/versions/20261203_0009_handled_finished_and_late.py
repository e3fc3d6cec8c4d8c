"""Daily figures: ``served`` becomes ``handled`` (steps a window handled to the end: finished, or
transferred on), since a transfer is not a finish (finished is the sum of the outcomes); and
``late_uncalled`` counts steps that waited past their target without being called. Days rolled
up before this have 0 there until ``hallq rollup --since DATE`` counts them again from their
tickets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.alter_column("served", new_column_name="handled")
        batch_op.add_column(
            sa.Column("late_uncalled", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.drop_column("late_uncalled")
        batch_op.alter_column("handled", new_column_name="served")
