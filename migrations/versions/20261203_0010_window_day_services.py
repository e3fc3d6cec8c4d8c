"""Windows' work profiles for a day, set on the staff page (who serves what today).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "window_day_services",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "window_id"),
    )


def downgrade() -> None:
    op.drop_table("window_day_services")
