"""Appointments (预约) and the bars the abuse rule sets on booking.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", ID, nullable=False),
        sa.Column("hall", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", ID, nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("reschedules", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_bookings_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as b:
        b.create_index("ix_bookings_hall_code", ["hall", "code"], unique=True)
        b.create_index(
            "ix_bookings_hall_day_service_slot", ["hall", "day", "service_code", "slot_start"]
        )
        b.create_index("ix_bookings_hall_person_created", ["hall", "person_key", "created_at"])
        b.create_index("ix_bookings_hall_status_slot", ["hall", "status", "slot_start"])
        b.create_index("ix_bookings_hall_id_hash", ["hall", "id_hash"])
    op.create_table(
        "booking_bars",
        sa.Column("id", ID, nullable=False),
        sa.Column("hall", sa.String(length=16), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_bars")),
    )
    with op.batch_alter_table("booking_bars", schema=None) as b:
        b.create_index("ix_booking_bars_hall_person", ["hall", "person_key"])


def downgrade() -> None:
    op.drop_table("booking_bars")
    op.drop_table("bookings")
