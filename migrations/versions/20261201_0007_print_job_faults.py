"""Print job faults: what made a job fail (a code for the catalogue), and how often it was the
job's own fault rather than the printer's; the printer's last fault as a code too.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_code", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("job_faults", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("printers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_code", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("printers", schema=None) as batch_op:
        batch_op.drop_column("error_code")
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_column("job_faults")
        batch_op.drop_column("error_code")
