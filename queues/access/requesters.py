"""Who asks for a ticket, and how many tickets a minute they may take.

A requester is what the *server* established about the asker, never what a client says of
itself: a kiosk is a kiosk because its browser was paired (a device cookie) or it holds a kiosk
token; a member of staff is signed in or holds a staff token; anyone else is a visitor known by
the address the request came from. The same requester gets the same limits on every path (the
kiosk page, the API):

============  ===============================================  ================================
requester     limit                                            its tickets' request ids
============  ===============================================  ================================
kiosk         ``rules.kiosk_tickets_per_minute`` of the hall   scoped to the kiosk
staff         none (a clerk issues for a visitor)              scoped to the member of staff
visitor       ``HALLQ_ISSUE_LIMIT`` per address                scoped to the address
internal      none (the simulator, the CLI, tests)             scoped to ``internal``
============  ===============================================  ================================

Because only a real kiosk can name a kiosk, nobody can use up a kiosk's limit to lock it out.

A limit is counted over the last minute and checked in the ticket's own transaction. On
PostgreSQL two transactions count at the same moment and neither sees the other's ticket, so the
check takes a transaction-level advisory lock on the requester first: issues of one requester
take turns (others are not held up); SQLite's single writer already makes them take turns.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from queues import errors
from queues.context import Context
from queues.store.models import Event, Ticket

Kind = Literal["kiosk", "staff", "visitor", "internal"]
MINUTE = timedelta(minutes=1)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


@dataclass(frozen=True)
class Requester:
    kind: Kind
    name: str
    """The kiosk id, the member of staff (``user:wang``, ``clerk:window-20``), the address."""
    address: str | None = None
    """Where the request came from (kept on the ticket)."""
    kiosk_id: str | None = None
    """For staff: the kiosk an administrator names to print at."""

    @classmethod
    def at_kiosk(cls, kiosk: str, address: str | None = None) -> Requester:
        return cls("kiosk", kiosk, address)

    @classmethod
    def staff(cls, actor: str, address: str | None = None, kiosk: str | None = None) -> Requester:
        return cls("staff", actor, address, kiosk)

    @classmethod
    def visitor(cls, address: str | None) -> Requester:
        return cls("visitor", address or "?", address)

    @property
    def kiosk(self) -> str | None:
        """The kiosk whose printer prints the ticket, if any."""
        return self.name if self.kind == "kiosk" else self.kiosk_id

    @property
    def actor(self) -> str:
        """Who the ticket's event names."""
        if self.kind == "kiosk":
            return f"kiosk:{self.name}"
        if self.kind == "visitor":
            return f"anonymous:{self.name}"
        return self.name

    @property
    def scope(self) -> str:
        """Among whose tickets a request id is looked up."""
        return f"{self.kind}:{self.name}"[:100]

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


INTERNAL = Requester("internal", "system")


def per_minute(ctx: Context, by: Requester) -> int:
    """How many tickets ``by`` may take a minute (0: no limit)."""
    if by.kind == "kiosk":
        return ctx.config.rules.kiosk_tickets_per_minute
    if by.kind == "visitor":
        return ctx.issue_limit
    return 0


def check(s: Session, ctx: Context, by: Requester, now: datetime) -> None:
    """Refuse a ticket while ``by`` has taken its limit in the last minute (RateLimited, with
    the seconds until the oldest counted ticket leaves the minute)."""
    limit = per_minute(ctx, by)
    if not limit:
        return
    if s.get_bind().dialect.name == "postgresql":
        s.execute(_LOCK, {"key": _lock_key(ctx.hall, by.scope)})
    whose = Ticket.kiosk == by.name if by.kind == "kiosk" else Ticket.client == by.address
    # the limit-th newest ticket of the last minute: while it is there, no more
    oldest_counted = s.scalar(
        select(Ticket.issued_at)
        .where(whose, Ticket.issued_at > now - MINUTE)
        .order_by(Ticket.issued_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if oldest_counted is not None:
        free_at = oldest_counted + MINUTE
        raise errors.RateLimited(seconds=max(1, math.ceil((free_at - now).total_seconds())))


def _lock_key(hall: str, scope: str) -> int:
    """A signed 64-bit advisory-lock key for ``scope`` in ``hall`` (whose tickets the limit
    counts: the k1 kiosks of two halls never wait for each other), in a range of its own (the
    scheduler's lock key is a small constant)."""
    digest = hashlib.blake2b(f"hallq-issue:{hall}:{scope}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def help_per_minute(ctx: Context, by: Requester) -> int:
    """How many calls for staff ``by`` may make a minute (0: no limit): a kiosk, or a visitor's
    address, ``rules.kiosk_help_per_minute``; staff and the system no limit."""
    if by.kind in ("kiosk", "visitor"):
        return ctx.config.rules.kiosk_help_per_minute
    return 0


def check_help(s: Session, ctx: Context, by: Requester, now: datetime) -> None:
    """Refuse a call for staff while ``by`` has made its limit of them in the last minute."""
    limit = help_per_minute(ctx, by)
    if not limit:
        return
    if s.get_bind().dialect.name == "postgresql":
        s.execute(_LOCK, {"key": _lock_key(ctx.hall, "help:" + by.scope)})
    oldest_counted = s.scalar(
        select(Event.at)
        .where(Event.kind == "help_requested", Event.actor == by.actor, Event.at > now - MINUTE)
        .order_by(Event.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if oldest_counted is not None:
        free_at = oldest_counted + MINUTE
        raise errors.RateLimited(seconds=max(1, math.ceil((free_at - now).total_seconds())))
