"""Text messages to visitors (短信通知): the notifications outbox and the numbers visitors leave
for their tickets.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("hall", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("dedup", sa.String(length=80), nullable=False),
        sa.Column("ticket_id", ID, nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("booking_id", ID, nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_notifications_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_notifications_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as b:
        b.create_index("ix_notifications_hall_dedup", ["hall", "dedup"], unique=True)
        b.create_index("ix_notifications_status_next", ["status", "next_attempt_at"])
        b.create_index("ix_notifications_ticket_kind", ["ticket_id", "kind"])
        b.create_index("ix_notifications_hall_created", ["hall", "created_at"])
    op.create_table(
        "ticket_phones",
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("hall", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_phones_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_phones")),
    )
    with op.batch_alter_table("ticket_phones", schema=None) as b:
        b.create_index("ix_ticket_phones_hall_day", ["hall", "day"])


def downgrade() -> None:
    with op.batch_alter_table("ticket_phones", schema=None) as b:
        b.drop_index("ix_ticket_phones_hall_day")
    op.drop_table("ticket_phones")
    with op.batch_alter_table("notifications", schema=None) as b:
        b.drop_index("ix_notifications_hall_created")
        b.drop_index("ix_notifications_ticket_kind")
        b.drop_index("ix_notifications_status_next")
        b.drop_index("ix_notifications_hall_dedup")
    op.drop_table("notifications")
