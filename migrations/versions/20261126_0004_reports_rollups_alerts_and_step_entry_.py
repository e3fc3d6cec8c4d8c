"""reports rollups, alerts and step entry times

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:53:24.194405
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_open", ["closed_at", "kind"], unique=False)

    op.create_table(
        "daily_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("window_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("clerk", sa.String(length=100), nullable=False),
        sa.Column("zone_code", sa.String(length=32), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("arrivals", sa.JSON(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("wait_minutes", sa.JSON(), nullable=False),
        sa.Column("service_count", sa.Integer(), nullable=False),
        sa.Column("service_seconds", sa.Float(), nullable=False),
        sa.Column("outcome_done", sa.Integer(), nullable=False),
        sa.Column("outcome_promised", sa.Integer(), nullable=False),
        sa.Column("outcome_incomplete", sa.Integer(), nullable=False),
        sa.Column("outcome_consult", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("bad_ratings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "service_code", "window_id", "clerk", name=op.f("pk_daily_stats")
        ),
    )
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.create_index("ix_daily_stats_zone_day", ["zone_code", "day"], unique=False)

    op.create_table(
        "window_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("open_seconds", sa.Float(), nullable=False),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("serving_seconds", sa.Float(), nullable=False),
        sa.Column("open_by_hour", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("day", "window_id", name=op.f("pk_window_days")),
    )
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))

    # steps from before: the first waited from the issue; a later one from the step before's end
    op.execute("UPDATE steps SET entered_at = queued_at WHERE n = 1")
    op.execute(
        "UPDATE steps SET entered_at = (SELECT p.finished_at FROM steps AS p "
        "WHERE p.ticket_id = steps.ticket_id AND p.n = steps.n - 1) WHERE n > 1"
    )


def downgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_column("entered_at")

    op.drop_table("window_days")
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_stats_zone_day")

    op.drop_table("daily_stats")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_open")

    op.drop_table("alerts")
