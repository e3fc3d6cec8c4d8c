"""The hall's tables as typed SQLAlchemy 2 models.

A *ticket* is the slip of paper a visitor holds: its number never changes. The visitor's way
through the hall is a list of *steps*: one per service queued for. A transfer ends the current
step (status ``transferred``) and opens the next one, which keeps the ticket's issue time as its
place in the line. Exactly one step of a ticket is not ``transferred``; it is the ticket's current
step and its status is the ticket's status.

All times are stored in UTC (``UTCDateTime``); the business day (``day``) is the date in the
hall's time zone at issue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    and_,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from queues.rules.lifecycle import Priority, Status

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in as an aware datetime and always comes back aware, in UTC.

    SQLite keeps no offset; PostgreSQL returns the session's zone. Both are normalised here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, date: Date}


Id = BigInteger().with_variant(Integer, "sqlite")
"""A row id that many databases make: 64 bits on PostgreSQL, where each site's database takes
its ids from a range of its own (``HALLQ_SITE``), so rows made at different sites never share
one when they meet in the district's database. SQLite's rowid is 64 bits already."""

HALL = 16
"""The longest hall code."""


def hall_column(*, primary_key: bool = False, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(String(HALL), primary_key=primary_key, nullable=nullable)


class HallRow:
    """A row that belongs to one hall (``hall``: its code). A hall's sessions see and write
    only its own such rows (:mod:`queues.store.scope`); a network session sees them all.
    Each model declares its own ``hall`` column (in its key, or not); this one is what the
    criteria are written against."""

    hall: Mapped[str] = mapped_column(String(HALL))


def _to(name: str, columns: list[str], table: str, keys: list[str]) -> ForeignKeyConstraint:
    """A foreign key within one hall: ``(hall, …)`` to ``table``'s ``(hall, …)``."""
    return ForeignKeyConstraint(
        ["hall", *columns], [f"{table}.hall", *(f"{table}.{k}" for k in keys)], name=name
    )


# --- the hall, as configured (synchronised from the hall file) -----------------------------


class Zone(HallRow, Base):
    __tablename__ = "zones"

    hall: Mapped[str] = hall_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    floor: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Service(HallRow, Base):
    __tablename__ = "services"
    __table_args__ = (
        _to("fk_services_zone", ["zone_code"], "zones", ["code"]),
        _to("fk_services_first_step", ["first_step_code"], "services", ["code"]),
    )

    hall: Mapped[str] = hall_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    zone_code: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(4))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    target_minutes: Mapped[int] = mapped_column(Integer)
    service_minutes: Mapped[float] = mapped_column(Float, default=8.0)
    first_step_code: Mapped[str | None] = mapped_column(String(32))
    days: Mapped[str] = mapped_column(String(40), default="")
    """Weekdays the service is offered on, ``mon,tue,…``; empty: every day the hall opens."""
    kiosk: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    zone: Mapped[Zone] = relationship(lazy="joined")


class Profile(HallRow, Base):
    """A window's work profile: the services it calls, each with a weight."""

    __tablename__ = "profiles"

    hall: Mapped[str] = hall_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")

    entries: Mapped[list[ProfileService]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class ProfileService(HallRow, Base):
    __tablename__ = "profile_services"
    __table_args__ = (
        _to("fk_profile_services_profile", ["profile_code"], "profiles", ["code"]),
        _to("fk_profile_services_service", ["service_code"], "services", ["code"]),
    )

    hall: Mapped[str] = hall_column(primary_key=True)
    profile_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class WindowDayServices(HallRow, Base):
    """A window's work profile for one day, set by a manager in the morning (who serves what
    today): the services it calls that day, with their weights. The hall file's profile holds on
    every day without a row; applying the hall file (``hallq serve``, ``init-db``) leaves these
    rows alone, so a restart keeps the day's edit."""

    __tablename__ = "window_day_services"

    hall: Mapped[str] = hall_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    services: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    """Service code → weight."""
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime]


class Window(HallRow, Base):
    __tablename__ = "windows"
    __table_args__ = (
        _to("fk_windows_zone", ["zone_code"], "zones", ["code"]),
        _to("fk_windows_profile", ["profile_code"], "profiles", ["code"]),
    )

    hall: Mapped[str] = hall_column(primary_key=True)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    """The window's number in its hall (the number over the counter)."""
    zone_code: Mapped[str] = mapped_column(String(32))
    profile_code: Mapped[str] = mapped_column(String(32))
    department_zh: Mapped[str] = mapped_column(String(100))
    department_en: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="closed")
    state_reason: Mapped[str | None] = mapped_column(String(200))
    state_since: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    profile: Mapped[Profile] = relationship()


# --- the day's traffic ---------------------------------------------------------------------


class DayCounter(HallRow, Base):
    """The last number given out for a prefix on a business day in a hall."""

    __tablename__ = "day_counters"

    hall: Mapped[str] = hall_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(HallRow, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_hall_day_prefix_seq", "hall", "day", "prefix", "seq", unique=True),
        Index("ix_tickets_client_issued", "client", "issued_at"),
        Index("ix_tickets_hall_kiosk_issued", "hall", "kiosk", "issued_at"),
        Index("ix_tickets_hall_requester_request", "hall", "requester", "request_id", unique=True),
        _to("fk_tickets_requested_service", ["requested_service_code"], "services", ["code"]),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    day: Mapped[date]
    prefix: Mapped[str] = mapped_column(String(4))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    requested_service_code: Mapped[str] = mapped_column(String(32))
    """The matter the visitor chose; the first step may be another service (the unified desk)."""
    issued_at: Mapped[datetime]
    kiosk: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    requester: Mapped[str | None] = mapped_column(String(100))
    """Who asked (``kiosk:k1``, ``user:wang``, ``visitor:10.0.0.9``): a request id names a ticket
    only among its requester's own, so nobody can fetch another client's ticket by its key."""
    project_code: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(64))
    """The address that asked for the ticket (for the per-address issue limit)."""
    visitor_name: Mapped[str | None] = mapped_column(String(100))
    visitor_company: Mapped[str | None] = mapped_column(String(200))
    visitor_phone: Mapped[str | None] = mapped_column(String(40))
    """Who was served, as the clerk recorded it: staff screens only, never a public one."""

    step: Mapped[Step] = relationship(
        primaryjoin=lambda: and_(Step.ticket_id == Ticket.id, Step.status != Status.TRANSFERRED),
        viewonly=True,
        uselist=False,
    )


class Step(HallRow, Base):
    __tablename__ = "steps"
    __table_args__ = (
        Index("ix_steps_hall_status_day_service", "hall", "status", "day", "service_code"),
        Index("ix_steps_hall_window_status", "hall", "window_id", "status"),
        Index("ix_steps_hall_day_window", "hall", "day", "window_id"),
        Index("ix_steps_ticket_n", "ticket_id", "n", unique=True),
        _to("fk_steps_service", ["service_code"], "services", ["code"]),
        _to("fk_steps_target_window", ["target_window_id"], "windows", ["id"]),
        _to("fk_steps_window", ["window_id"], "windows", ["id"]),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    ticket_id: Mapped[int] = mapped_column(Id, ForeignKey("tickets.id"))
    n: Mapped[int] = mapped_column(Integer, default=1)
    day: Mapped[date]
    service_code: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    target_window_id: Mapped[int | None] = mapped_column(Integer)
    """Set when a ticket was transferred to one window: only that window calls it."""
    queued_at: Mapped[datetime]
    """The place in the line: the ticket's issue time, kept across transfers."""
    entered_at: Mapped[datetime | None]
    """When this step began to wait (the issue, or the transfer): its wait is measured from here."""
    status: Mapped[str] = mapped_column(String(12), default=Status.WAITING)
    window_id: Mapped[int | None] = mapped_column(Integer)
    clerk: Mapped[str | None] = mapped_column(String(100))
    called_at: Mapped[datetime | None]
    last_called_at: Mapped[datetime | None]
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))
    promised_date: Mapped[date | None]

    ticket: Mapped[Ticket] = relationship()
    service: Mapped[Service] = relationship(viewonly=True)


class Event(HallRow, Base):
    """Append-only history: one row per state change, with who did it, in its hall."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_hall_at", "hall", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str | None] = hall_column(nullable=True)
    """None for what happened in the network rather than in one hall (staff accounts)."""
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(100))
    ticket_id: Mapped[int | None] = mapped_column(Id, ForeignKey("tickets.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(Integer)
    """The window's number in the event's hall."""
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PrintJob(HallRow, Base):
    """A ticket to print, written with the ticket and delivered after commit by the worker."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    ticket_id: Mapped[int] = mapped_column(Id, ForeignKey("tickets.id"), index=True)
    kiosk: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    printed_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    """When a worker or agent took the job; a claim older than the lease may be taken again."""
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    reprint: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    error_code: Mapped[str | None] = mapped_column(String(20))
    """The last failure's name in the catalogue (``fault.<code>``): the printer's or the job's."""
    job_faults: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Failures that were the job's own (its slip cannot be made), not the printer's: after
    ``printjobs.MAX_JOB_FAULTS`` of them the job is ``failed``."""


class Printer(HallRow, Base):
    """The last known state of a kiosk's printer, for staff and the dashboard."""

    __tablename__ = "printers"

    hall: Mapped[str] = hall_column(primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True)
    uri: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="unknown")
    """``ok``, ``fault`` or ``unknown`` (nothing printed yet)."""
    paper: Mapped[str] = mapped_column(String(10), default="unknown")
    """``ok``, ``low``, ``out`` or ``unknown`` (the printer does not say)."""
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(20))
    """The last fault's name in the catalogue (``fault.<code>``)."""
    updated_at: Mapped[datetime | None]


class Rating(HallRow, Base):
    __tablename__ = "ratings"
    __table_args__ = (_to("fk_ratings_window", ["window_id"], "windows", ["id"]),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    ticket_id: Mapped[int] = mapped_column(Id, ForeignKey("tickets.id"), unique=True)
    step_id: Mapped[int | None] = mapped_column(Id, ForeignKey("steps.id"))
    window_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    follow_up: Mapped[str | None] = mapped_column(String(12))
    follow_up_note: Mapped[str | None] = mapped_column(Text)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    windows: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The windows a clerk token may act at, ``3,5``; empty: any (tokens made before binding)."""
    hall: Mapped[str | None] = hall_column(nullable=True)
    """The hall it acts in; None: every hall of the network."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class KioskDevice(HallRow, Base):
    """A kiosk PC's browser, paired once to be one of the hall file's kiosks.

    A manager or the kiosk's token asks for a one-time pairing code; opening the code's page on
    the kiosk PC turns it into a long-lived device cookie (a random secret, stored here as a
    hash). Only a paired browser (or a kiosk token) names a kiosk: its printer prints, and the
    kiosk's own limit applies instead of the per-address one. Unpairing refuses the cookie at once.
    """

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    kiosk: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The one-time pairing code's hash, until it is used."""
    code_expires_at: Mapped[datetime]
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    """The device cookie's secret, once paired."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    paired_at: Mapped[datetime | None]
    client: Mapped[str | None] = mapped_column(String(64))
    """The address the browser paired from."""
    user_agent: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]


class DailyStat(HallRow, Base):
    """One day's figures for a service at a window by a clerk: what reports add up.

    Rows with ``window_id`` 0 and ``clerk`` "" hold what belongs to the service alone: tickets
    issued for it and their arrival hours. The nightly roll-up writes a day's rows from its steps;
    a report over a year reads a few thousand of them instead of every ticket.
    """

    __tablename__ = "daily_stats"
    __table_args__ = (Index("ix_daily_stats_hall_zone_day", "hall", "zone_code", "day"),)

    hall: Mapped[str] = hall_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    clerk: Mapped[str] = mapped_column(String(100), primary_key=True)
    zone_code: Mapped[str] = mapped_column(String(32))
    issued: Mapped[int] = mapped_column(Integer, default=0)
    arrivals: Mapped[list[int]] = mapped_column(JSON, default=list)
    """Tickets issued in each hour of the day (local time), 24 numbers."""
    called: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    """Steps a window handled to the end: finished with an outcome, or transferred on."""
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    transferred: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    wait_count: Mapped[int] = mapped_column(Integer, default=0)
    wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)
    late_uncalled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Steps never called that waited past their target (they left, or the day closed)."""
    wait_minutes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """How many waited 0, 1, 2 … whole minutes, by minute (as text); only minutes that occur."""
    service_count: Mapped[int] = mapped_column(Integer, default=0)
    service_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    outcome_done: Mapped[int] = mapped_column(Integer, default=0)
    outcome_promised: Mapped[int] = mapped_column(Integer, default=0)
    outcome_incomplete: Mapped[int] = mapped_column(Integer, default=0)
    outcome_consult: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    bad_ratings: Mapped[int] = mapped_column(Integer, default=0)


class WindowDayStat(HallRow, Base):
    """A window's day: how long it was open, paused and serving, hour by hour."""

    __tablename__ = "window_days"

    hall: Mapped[str] = hall_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    open_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    serving_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    open_by_hour: Mapped[list[float]] = mapped_column(JSON, default=list)
    """Seconds open (not paused, not closed) in each hour of the day, 24 numbers."""


class Alert(HallRow, Base):
    """Something a manager should look at: a wait past target, a long queue, a long pause, a
    printer fault. Raised and cleared by the scheduler's check every minute."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_hall_open", "hall", "closed_at", "kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(64))
    """What it is about: a service code, a window id, a kiosk, a ticket number."""
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class User(Base):
    """A member of staff who signs in to the pages: a clerk, a manager or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    """The sign-in name."""
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(255))
    windows: Mapped[str] = mapped_column(String(200), default="")
    """The windows a clerk may work, ``3,5``; empty: any."""
    hall: Mapped[str | None] = hall_column(nullable=True)
    """The hall the member of staff belongs to; None: the network (every hall)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class StaffSession(Base):
    """A browser signed in as a member of staff.

    The cookie carries a random secret; the table keeps only its SHA-256, so a copy of the
    database opens no session. Every request looks its row up, so ending it (sign-out, a new
    password, a deactivation, ``hallq user sign-out``) ends the session on every web process at
    once, and a copied cookie stops working.
    """

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    """The last request, to the minute (not written more often than that)."""
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))
    """``signed_out``, ``password``, ``deactivated`` or ``ended`` (by staff)."""
    client: Mapped[str | None] = mapped_column(String(64))
    """The address it signed in from, and its browser, for staff to recognise it by."""
    user_agent: Mapped[str | None] = mapped_column(String(200))


class SignInThrottle(Base):
    """Sign-in attempts counted per client address and account (``account`` "": every account).

    :mod:`queues.access.throttle` counts and refuses; the rule is in :mod:`queues.access.staff`.
    """

    __tablename__ = "sign_in_throttle"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime]
    """The first attempt counted in the current window."""
    locked_until: Mapped[datetime | None]
    """Set by the attempt that reached the limit: until then, attempts are refused unchecked."""


class Secret(Base):
    """Keys the processes share (the session cookie's signing key), made at first use."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ProjectCode(Base):
    """A key-project code that entitles its holder to the green channel."""

    __tablename__ = "project_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


BOARD_SHARDS = 8


class BoardVersion(HallRow, Base):
    """Bumped by every change a zone's screens show; screens poll it and redraw on change.

    A zone's version is the sum of its ``BOARD_SHARDS`` rows, and a writer bumps one of them at
    random. One row per zone would make every writer of a busy zone queue on that row's lock
    until it commits (PostgreSQL); the sum still moves with every commit, in any order.
    """

    __tablename__ = "board_versions"
    __table_args__ = (_to("fk_board_versions_zone", ["zone_code"], "zones", ["code"]),)

    hall: Mapped[str] = hall_column(primary_key=True)
    zone_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


# --- webhooks (issue 13) ----------------------------------------------------------------------


class Webhook(HallRow, Base):
    """An endpoint a manager registered: the hall's events of the chosen types are POSTed to
    ``url``, signed with ``secret`` (:mod:`queues.webhooks`)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_hall_active", "hall", "active"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    """Signs every delivery; shown once, when the endpoint is registered, never again."""
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The event types on the wire it takes (:data:`queues.rules.webhook.TYPES`)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    deactivated_at: Mapped[datetime | None]


class WebhookDelivery(HallRow, Base):
    """One event for one endpoint, written in the event's transaction and POSTed after commit
    by the worker (the outbox lifecycle of :mod:`queues.outbox`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    webhook_id: Mapped[int] = mapped_column(Id, ForeignKey("webhooks.id"))
    event_id: Mapped[int | None] = mapped_column(Id)
    type: Mapped[str] = mapped_column(String(24))
    body: Mapped[str] = mapped_column(Text)
    """The exact JSON sent (and signed), as text."""
    status: Mapped[str] = mapped_column(String(12), default="pending")
    """``pending``, ``sending``, ``delivered`` or ``failed``."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


# --- appointments (预约) -------------------------------------------------------------------


class Booking(HallRow, Base):
    """An appointment: a visitor's place in one slot of a matter on a working day.

    ``name`` and ``phone`` are personal data: staff screens only, never a public page or answer.
    The ID number is never kept: ``id_hash`` is its keyed hash (``bookings.id_hash``), so the
    kiosk can find the booking by the number typed again. ``person_key`` is the phone's keyed
    hash: the abuse rule counts a person's no-shows and cancellations by it.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_hall_code", "hall", "code", unique=True),
        Index("ix_bookings_hall_day_service_slot", "hall", "day", "service_code", "slot_start"),
        Index("ix_bookings_hall_person_created", "hall", "person_key", "created_at"),
        Index("ix_bookings_hall_status_slot", "hall", "status", "slot_start"),
        Index("ix_bookings_hall_id_hash", "hall", "id_hash"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    code: Mapped[str] = mapped_column(String(12))
    """Eight characters from an alphabet without look-alikes; unique in the hall."""
    service_code: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    """The slot's date in the hall's time zone."""
    slot_start: Mapped[datetime]
    slot_minutes: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    id_hash: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    status: Mapped[str] = mapped_column(String(12), default="booked")
    """``booked``, ``checked_in``, ``cancelled`` or ``no_show``."""
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(Id, ForeignKey("tickets.id"))
    person_key: Mapped[str] = mapped_column(String(64))
    reschedules: Mapped[int] = mapped_column(Integer, default=0)


class BookingBar(HallRow, Base):
    """A person (``person_key``) may not book until ``until``: the abuse rule's refusal, which a
    manager can lift (``lifted_at``, ``lifted_by``). ``reason``: ``no_shows``, ``cancels``."""

    __tablename__ = "booking_bars"
    __table_args__ = (Index("ix_booking_bars_hall_person", "hall", "person_key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    person_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(20))
    until: Mapped[datetime]
    created_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(100))


# --- text messages to visitors (短信通知) ------------------------------------------------------


class Notification(HallRow, Base):
    """A text message to a visitor, written in the same transaction as what causes it (a booking,
    a call) and sent after commit by the notifier (:mod:`runtime.notifier`) through the outbox's
    lifecycle (:mod:`queues.outbox`). ``dedup`` names the notice (``called:t12:1``,
    ``booked:b5``, ``remind:b5:2026-12-07``): the same notice is written once.

    ``phone`` is personal data: the staff page shows it masked, no public page or answer reads
    it. ``text`` is written when the notice is first claimed (in the visitor's language, from
    ``data``), and sent unchanged on every retry."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_hall_dedup", "hall", "dedup", unique=True),
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
        Index("ix_notifications_ticket_kind", "ticket_id", "kind"),
        Index("ix_notifications_hall_created", "hall", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hall: Mapped[str] = hall_column()
    kind: Mapped[str] = mapped_column(String(8))
    """``booked``, ``remind``, ``near`` or ``called``."""
    dedup: Mapped[str] = mapped_column(String(80))
    ticket_id: Mapped[int | None] = mapped_column(Id, ForeignKey("tickets.id"))
    step: Mapped[int | None] = mapped_column(Integer)
    """The ticket's step (``n``) a near or called notice is about: a transferred ticket is told
    again for its next window."""
    booking_id: Mapped[int | None] = mapped_column(Id, ForeignKey("bookings.id"))
    phone: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What the text says (number, window, service, slot …), put into words when sent."""
    text: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(200), default="")
    """The hall file's ``[notify] channel`` URI; empty: the deployment's (``HALLQ_NOTIFY``)."""
    status: Mapped[str] = mapped_column(String(10), default="pending")
    """``pending``, ``sending``, ``sent`` or ``failed``."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class TicketPhone(HallRow, Base):
    """A visitor's mobile number for a ticket's near and called texts: given on the phone page
    (到号提醒) or at a booking's check-in. Personal data: never on a public page or answer."""

    __tablename__ = "ticket_phones"
    __table_args__ = (Index("ix_ticket_phones_hall_day", "hall", "day"),)

    ticket_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tickets.id"), primary_key=True, autoincrement=False
    )
    hall: Mapped[str] = hall_column()
    day: Mapped[date]
    """The ticket's business day: the call's look-up reads only the day's numbers."""
    phone: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    changes: Mapped[int] = mapped_column(Integer, default=0)
    """How often the number was changed: a ticket's number may be changed a few times only."""
    created_at: Mapped[datetime]
