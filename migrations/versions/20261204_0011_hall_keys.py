"""Hall keys: a hall code on every row that belongs to a hall, keys within a hall, 64-bit ids.

An existing database holds one hall: every row becomes that hall's, nothing else changes. The
hall's code comes from ``hallq init-db`` (the network's default hall, or the hall file's code);
run without it (plain ``alembic upgrade``), the code is ``HALLQ_HALL`` or ``hall``.

Three passes, so that on PostgreSQL no key is changed while a foreign key leans on it: the
foreign keys into the hall's configuration go, the hall column and the new keys and indexes
come, then the foreign keys come back within the hall. On SQLite each pass rebuilds the tables
(Alembic's batch mode; ``hallq init-db`` runs migrations with foreign key checks off).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 01:30:00
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context, op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONFIG_TABLES = {"zones", "services", "profiles", "windows"}

# table: (its new primary key, or None to keep it; hall column nullable)
HALL_TABLES: dict[str, tuple[list[str] | None, bool]] = {
    "zones": (["hall", "code"], False),
    "services": (["hall", "code"], False),
    "profiles": (["hall", "code"], False),
    "profile_services": (["hall", "profile_code", "service_code"], False),
    "windows": (["hall", "id"], False),
    "window_day_services": (["hall", "day", "window_id"], False),
    "day_counters": (["hall", "day", "prefix"], False),
    "board_versions": (["hall", "zone_code", "shard"], False),
    "printers": (["hall", "kiosk"], False),
    "daily_stats": (["hall", "day", "service_code", "window_id", "clerk"], False),
    "window_days": (["hall", "day", "window_id"], False),
    "tickets": (None, False),
    "steps": (None, False),
    "events": (None, True),
    "print_jobs": (None, False),
    "ratings": (None, False),
    "alerts": (None, False),
    "kiosk_devices": (None, False),
    "users": (None, True),
    "api_tokens": (None, True),
}
OF_NETWORK = {"users", "api_tokens"}
"""Staff and tokens: NULL is the network (every hall); those of the old hall stay so."""

INDEXES: dict[str, tuple[list[str], list[tuple[str, list[str], bool]]]] = {
    "tickets": (
        ["ix_tickets_day_prefix_seq", "ix_tickets_kiosk_issued", "ix_tickets_requester_request"],
        [
            ("ix_tickets_hall_day_prefix_seq", ["hall", "day", "prefix", "seq"], True),
            ("ix_tickets_hall_kiosk_issued", ["hall", "kiosk", "issued_at"], False),
            ("ix_tickets_hall_requester_request", ["hall", "requester", "request_id"], True),
        ],
    ),
    "steps": (
        ["ix_steps_status_day_service", "ix_steps_window_status", "ix_steps_day_window"],
        [
            ("ix_steps_hall_status_day_service", ["hall", "status", "day", "service_code"], False),
            ("ix_steps_hall_window_status", ["hall", "window_id", "status"], False),
            ("ix_steps_hall_day_window", ["hall", "day", "window_id"], False),
        ],
    ),
    "events": (["ix_events_at"], [("ix_events_hall_at", ["hall", "at"], False)]),
    "alerts": (["ix_alerts_open"], [("ix_alerts_hall_open", ["hall", "closed_at", "kind"], False)]),
    "daily_stats": (
        ["ix_daily_stats_zone_day"],
        [("ix_daily_stats_hall_zone_day", ["hall", "zone_code", "day"], False)],
    ),
}

# (table, name, columns, referred table, referred columns): within the hall
HALL_FOREIGN_KEYS = [
    ("services", "fk_services_zone", ["zone_code"], "zones", ["code"]),
    ("services", "fk_services_first_step", ["first_step_code"], "services", ["code"]),
    ("profile_services", "fk_profile_services_profile", ["profile_code"], "profiles", ["code"]),
    ("profile_services", "fk_profile_services_service", ["service_code"], "services", ["code"]),
    ("windows", "fk_windows_zone", ["zone_code"], "zones", ["code"]),
    ("windows", "fk_windows_profile", ["profile_code"], "profiles", ["code"]),
    ("board_versions", "fk_board_versions_zone", ["zone_code"], "zones", ["code"]),
    ("tickets", "fk_tickets_requested_service", ["requested_service_code"], "services", ["code"]),
    ("steps", "fk_steps_service", ["service_code"], "services", ["code"]),
    ("steps", "fk_steps_target_window", ["target_window_id"], "windows", ["id"]),
    ("steps", "fk_steps_window", ["window_id"], "windows", ["id"]),
    ("ratings", "fk_ratings_window", ["window_id"], "windows", ["id"]),
]

# 64-bit ids on PostgreSQL (SQLite's are already): (table, column)
BIG_IDS = [
    ("tickets", "id"),
    ("steps", "id"),
    ("steps", "ticket_id"),
    ("events", "id"),
    ("events", "ticket_id"),
    ("print_jobs", "id"),
    ("print_jobs", "ticket_id"),
    ("ratings", "id"),
    ("ratings", "ticket_id"),
    ("ratings", "step_id"),
    ("alerts", "id"),
    ("kiosk_devices", "id"),
]


def _hall() -> str:
    return str(context.config.attributes.get("hall") or os.environ.get("HALLQ_HALL") or "hall")


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    hall = _hall()
    # 1. the foreign keys into the hall's configuration go
    for table in HALL_TABLES:
        into_config = [
            fk["name"]
            for fk in inspector.get_foreign_keys(table)
            if fk["referred_table"] in CONFIG_TABLES and fk["name"]
        ]
        if into_config:
            with op.batch_alter_table(table) as b:
                for name in into_config:
                    b.drop_constraint(name, type_="foreignkey")
    # 2. the hall column, the keys and indexes within a hall
    for table, (key, nullable) in HALL_TABLES.items():
        old_key = inspector.get_pk_constraint(table)
        drop, create = INDEXES.get(table, ([], []))
        with op.batch_alter_table(table) as b:
            b.add_column(sa.Column("hall", sa.String(length=16), nullable=True))
        if table not in OF_NETWORK:
            op.execute(sa.text(f"UPDATE {table} SET hall = :hall").bindparams(hall=hall))
        with op.batch_alter_table(table) as b:
            if not nullable:
                b.alter_column("hall", existing_type=sa.String(length=16), nullable=False)
            for name in drop:
                b.drop_index(name)
            if key is not None:
                if old_key.get("name"):
                    b.drop_constraint(old_key["name"], type_="primary")
                b.create_primary_key(f"pk_{table}", key)
            for name, columns, unique in create:
                b.create_index(name, columns, unique=unique)
    # 3. the foreign keys come back, within the hall
    for table, name, columns, referred, keys in HALL_FOREIGN_KEYS:
        with op.batch_alter_table(table) as b:
            b.create_foreign_key(name, referred, ["hall", *columns], ["hall", *keys])
    if bind.dialect.name == "postgresql":
        for table, column in BIG_IDS:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())
            if column == "id":
                op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS bigint")


def downgrade() -> None:
    raise NotImplementedError("a network of halls does not go back to one hall's schema")
