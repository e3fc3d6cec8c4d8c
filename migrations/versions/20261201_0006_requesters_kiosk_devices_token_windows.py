"""Request ids scoped to their requester; kiosk devices paired by a one-time code; clerk tokens
bound to windows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester", sa.String(length=100), nullable=True))
        batch_op.drop_constraint("uq_tickets_request_id", type_="unique")
        batch_op.create_index(
            "ix_tickets_requester_request", ["requester", "request_id"], unique=True
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("windows", sa.String(length=200), nullable=False, server_default="")
        )
    op.create_table(
        "kiosk_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_devices")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_kiosk_devices_code_hash")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_devices")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("windows")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_requester_request")
        batch_op.create_unique_constraint("uq_tickets_request_id", ["request_id"])
        batch_op.drop_column("requester")
