"""Staff sessions kept on the server: the session cookie names a row here, and the row decides.

A signed cookie alone cannot be taken back: whoever copies it stays signed in until it expires,
whatever the owner does. So the cookie carries only a random secret (256 bits); this table keeps
its SHA-256 with the user, the times and where it signed in from. Each request looks the row up
(one indexed read, joined with the user): an ended, expired or foreign secret signs nobody in, on
every web process at once. The use cases that open and end sessions are in
:mod:`queues.access.staff`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from queues.store.models import StaffSession, User, UTCDateTime

LIFETIME = timedelta(hours=12)
"""A session ends this long after signing in, however busy: a shift, not a week."""
SEEN_EVERY = timedelta(minutes=1)
"""``last_seen_at`` moves at most this often: a console polling every second writes no more."""
MAX_TOKEN = 64

_sessions = StaffSession.__table__
_LOOKUP = (
    select(User, StaffSession.id.label("session_id"), StaffSession.last_seen_at)
    .join(User, User.id == StaffSession.user_id)
    .where(
        StaffSession.token_hash == bindparam("token_hash"),
        StaffSession.ended_at.is_(None),
        StaffSession.expires_at > bindparam("now", type_=UTCDateTime()),
        User.active,
    )
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    s: Session,
    user_id: int,
    now: datetime,
    client: str | None,
    user_agent: str | None,
) -> str:
    """A new session of ``user_id`` in the caller's transaction; answers the cookie's secret
    (shown once: only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    s.execute(
        insert(_sessions).values(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
            client=(client or "")[:64] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    return token


def lookup(s: Session, token: str, now: datetime) -> Row[Any] | None:
    """The live session of ``token`` with its user (``User``, ``session_id``,
    ``last_seen_at``), or None."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return s.execute(_LOOKUP, {"token_hash": token_hash(token), "now": now}).first()


def seen(s: Session, session_id: int, now: datetime) -> None:
    """Note a request of the session, unless one was noted within ``SEEN_EVERY``."""
    s.execute(
        update(_sessions)
        .where(_sessions.c.id == session_id, _sessions.c.last_seen_at <= now - SEEN_EVERY)
        .values(last_seen_at=now)
    )


def end(s: Session, now: datetime, reason: str, *where: Any) -> int:
    """End the live sessions matching ``where``; answers how many ended."""
    result = s.execute(
        update(_sessions)
        .where(_sessions.c.ended_at.is_(None), *where)
        .values(ended_at=now, end_reason=reason)
    )
    return int(result.rowcount or 0)


def of_token(token: str) -> Any:
    return _sessions.c.token_hash == token_hash(token)


def of_id(session_id: int) -> Any:
    return _sessions.c.id == session_id


def of_user(user_id: int) -> Any:
    return _sessions.c.user_id == user_id


def live(now: datetime) -> Any:
    """The condition of a session that still works (not ended, not expired)."""
    return (_sessions.c.ended_at.is_(None)) & (_sessions.c.expires_at > now)
