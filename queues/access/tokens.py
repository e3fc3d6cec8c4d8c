"""API tokens: what devices and integrations present as ``Authorization: Bearer …``.

A token has a role (``kiosk``, ``clerk``, ``manager``, ``admin``) and a name; only its SHA-256
is stored, so it is shown once, when it is made. A kiosk token is named after the kiosk it speaks
for; a clerk token may be bound to windows, as a clerk's account is. A revoked token is refused
from the next request on, on every web process (each request looks the hash up).

A token belongs to a hall or to the network, as a staff account does (:mod:`queues.access.halls`):
a hall's token acts in that hall only, a network token in every hall. A kiosk token always
belongs to its kiosk's hall.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from queues import errors
from queues.access import halls
from queues.access.halls import HERE
from queues.context import Context
from queues.store import events
from queues.store.models import ApiToken

ROLES = ("kiosk", "clerk", "manager", "admin")


@dataclass(frozen=True)
class Principal:
    """Who holds a token."""

    name: str
    role: str
    windows: tuple[int, ...] = ()
    """For a clerk token: the windows it may act at (empty: any, as for tokens made before)."""
    hall: str | None = None
    """The hall it acts in; None: every hall of the network."""

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}"

    def may_work(self, window: int) -> bool:
        """A clerk token acts at its own windows; managers and administrators at any."""
        return self.role != "clerk" or not self.windows or window in self.windows

    def may_act_in(self, hall: str) -> bool:
        """A network token acts in every hall, a hall's token in its own."""
        return halls.may_act_in(self.hall, hall)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    hall: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    ctx: Context,
    role: str,
    name: str,
    actor: str = "cli",
    *,
    windows: list[int] | tuple[int, ...] = (),
    hall: str | halls.Here | None = HERE,
) -> str:
    """Make a new API token and answer it; only its hash is stored, so it is shown once.

    A clerk token may be bound to ``windows``, as a clerk's account is; a kiosk token's name is
    the kiosk it speaks for (one of the hall file's). It belongs to ``hall``: by default the
    hall of ``ctx``, None for a network token, or a hall's code; a kiosk token to a hall."""
    if role not in ROLES:
        raise errors.InvalidRole(role=role, roles=", ".join(ROLES))
    belongs = halls.hall_for(ctx, hall)
    if role == "kiosk" and belongs is None:
        raise errors.NetworkKiosk()
    if role == "kiosk" and ctx.config.kiosk(name) is None:
        raise errors.UnknownKiosk(kiosk=name)
    known = {w.id for w in ctx.config.windows}
    unknown = [w for w in windows if w not in known]
    if unknown:
        raise errors.UnknownWindow(window=unknown[0])
    bound = ",".join(str(w) for w in sorted(set(windows))) if role == "clerk" else ""
    token = "hq_" + secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as s:
        s.add(
            ApiToken(
                name=name,
                role=role,
                token_hash=_hash(token),
                windows=bound,
                hall=belongs,
                created_at=now,
            )
        )
        events.record(
            s, "token_created", actor, now, name=name, role=role, windows=bound, hall=belongs
        )
    return token


def tokens(ctx: Context) -> list[TokenInfo]:
    """Every token ever made (never the token itself: only its hash is kept)."""
    with ctx.db.read() as s:
        return [
            TokenInfo(t.id, t.name, t.role, t.created_at, t.revoked_at, t.hall)
            for t in s.scalars(select(ApiToken).order_by(ApiToken.id))
        ]


def revoke_token(ctx: Context, which: str, actor: str = "cli") -> list[TokenInfo]:
    """Revoke the token with id ``which``, or every live token named ``which``; answers those
    revoked. A revoked token is refused from the next request on."""
    now = ctx.now()
    with ctx.db.write() as s:
        # locked, and re-checked after the lock: a token revoked twice at once is revoked once
        query = select(ApiToken).where(ApiToken.revoked_at.is_(None)).with_for_update()
        query = query.where(
            ApiToken.id == int(which) if which.isdigit() else ApiToken.name == which
        )
        found = list(s.scalars(query))
        if not found:
            raise errors.UnknownToken(token=which)
        for t in found:
            t.revoked_at = now
            events.record(s, "token_revoked", actor, now, name=t.name, role=t.role, token=t.id)
        return [TokenInfo(t.id, t.name, t.role, t.created_at, t.revoked_at, t.hall) for t in found]


_HOLDER = select(ApiToken.name, ApiToken.role, ApiToken.windows, ApiToken.hall).where(
    ApiToken.token_hash == bindparam("b_hash"), ApiToken.revoked_at.is_(None)
)


def authenticate(ctx: Context, token: str) -> Principal | None:
    """The holder of ``token``, or None for an unknown or revoked one: one read, outside any
    transaction, at every request (never kept, so a revoked token is refused at once on every
    web process)."""
    row = ctx.db.first(_HOLDER, {"b_hash": _hash(token)})
    if row is None:
        return None
    windows = tuple(int(w) for w in row.windows.split(",") if w.strip())
    return Principal(name=row.name, role=row.role, windows=windows, hall=row.hall)
