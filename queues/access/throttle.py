"""Counting sign-in attempts so that parallel guesses cannot outrun the count.

The rule (how many, for how long, per what) is in :mod:`queues.access.staff`; this module counts. An
attempt is counted *before* its password is checked, with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the attempt's row: the row lock (PostgreSQL) or
the database lock (SQLite) makes concurrent attempts take turns, and each learns its own place
in the count. Forty parallel guesses get the places 1 to 40, and only those within the limit go
on to the password check. Reading the count, checking the password and then writing the count
back (what this replaced) let every one of them read "no failures yet".

The attempt that reaches the limit starts the lock; the window of counting starts with the first
attempt. A stale row (its window or its lock over) starts again at 1 in the same statement. A
refused attempt raises inside the caller's transaction, which rolls its count back: refusals are
neither checked nor counted, so they never lengthen a lock.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Insert, Integer, and_, bindparam, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queues.store.models import SignInThrottle, UTCDateTime

EVERY_ACCOUNT = ""
"""The ``account`` of the row that counts an address's attempts on all accounts together."""
UNKNOWN_CLIENT = "?"

_table = SignInThrottle.__table__
_now = bindparam("now", type_=UTCDateTime())
_window_start = bindparam("window_start", type_=UTCDateTime())
_lock_end = bindparam("lock_end", type_=UTCDateTime())
_limit = bindparam("limit", type_=Integer())


def _claim(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    c = _table.c
    stale = or_(
        and_(c.locked_until.is_(None), c.since <= _window_start),
        c.locked_until <= _now,
    )
    attempts = case((stale, 1), else_=c.attempts + 1)
    locked_until = case(
        (and_(stale, _limit <= 1), _lock_end),
        (stale, None),
        (and_(c.locked_until.is_(None), c.attempts + 1 >= _limit), _lock_end),
        else_=c.locked_until,
    )
    stmt = insert(_table).values(
        client=bindparam("client"),
        account=bindparam("account"),
        attempts=1,
        since=_now,
        locked_until=case((_limit <= 1, _lock_end), else_=None),
    )
    return stmt.on_conflict_do_update(
        index_elements=[c.client, c.account],
        set_={
            "attempts": attempts,
            "since": case((stale, _now), else_=c.since),
            "locked_until": locked_until,
        },
    ).returning(c.attempts, c.locked_until)


_CLAIM = {name: _claim(name) for name in ("sqlite", "postgresql")}
_GIVE_BACK = (
    update(_table)
    .where(_table.c.client == bindparam("b_client"), _table.c.account == bindparam("b_account"))
    .values(
        attempts=case((_table.c.attempts > 0, _table.c.attempts - 1), else_=0),
        locked_until=case((_table.c.attempts - 1 < _limit, None), else_=_table.c.locked_until),
    )
)


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` counted within ``window`` of the first; reaching it locks for
    ``lockout``."""

    attempts: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Counted:
    """One attempt, counted: its place in the window's count, and the lock, if one is on."""

    place: int
    limit: int
    locked_until: datetime | None

    @property
    def refused(self) -> bool:
        """Past the limit: not to be checked."""
        return self.place > self.limit

    @property
    def last(self) -> bool:
        """The last attempt allowed: it started the lock (which a success lifts)."""
        return self.place == self.limit

    def minutes(self, now: datetime) -> int:
        """Whole minutes, rounded up, until the lock is over."""
        if self.locked_until is None:
            return 0
        return max(1, math.ceil((self.locked_until - now).total_seconds() / 60))


def client_key(address: str | None) -> str:
    """Who an attempt is counted against: the address, or its /64 for IPv6 (one machine holds
    a whole /64, so counting single IPv6 addresses would count nothing)."""
    if not address:
        return UNKNOWN_CLIENT
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def count(s: Session, client: str, account: str, limit: Limit, now: datetime) -> Counted:
    """Count one attempt of ``client`` on ``account`` in the caller's transaction."""
    row = s.execute(
        _CLAIM[s.get_bind().dialect.name],
        {
            "client": client,
            "account": account[:64],
            "now": now,
            "window_start": now - limit.window,
            "lock_end": now + limit.lockout,
            "limit": limit.attempts,
        },
    ).one()
    return Counted(int(row.attempts), limit.attempts, row.locked_until)


def clear(s: Session, client: str, account: str) -> None:
    """Forget ``client``'s attempts on ``account`` (a success)."""
    s.execute(delete(_table).where(_table.c.client == client, _table.c.account == account[:64]))


def give_back(s: Session, client: str, account: str, limit: Limit) -> None:
    """Uncount one attempt (a success, which is no failure), lifting a lock it had started."""
    s.execute(_GIVE_BACK, {"b_client": client, "b_account": account[:64], "limit": limit.attempts})


def tidy(s: Session, now: datetime, longest: timedelta) -> int:
    """Drop the rows whose window and lock are both over (``longest``: the longest window)."""
    c = _table.c
    result = s.execute(
        delete(_table).where(
            or_(
                and_(c.locked_until.is_(None), c.since <= now - longest),
                c.locked_until <= now,
            )
        )
    )
    return int(result.rowcount or 0)
