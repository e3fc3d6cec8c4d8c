"""Kiosk devices: a kiosk PC's browser paired once, by a one-time code, to be one of the kiosks.

A kiosk page in a browser anyone can open proves nothing about where it stands, so a ticket
names a kiosk (prints on its printer, counts against its limit) only when the browser was paired:

1. an administrator (on ``/staff`` or ``hallq kiosk pair K``), or the kiosk's own token
   (``POST /api/v1/kiosks/{kiosk}/pairing``), asks for a pairing code: random, one use, valid for
   ``PAIRING_MINUTES``;
2. the code's page opened on the kiosk PC (``/pair/<code>``) turns it into a device: a random
   secret the browser keeps in a long-lived cookie, stored here only as a hash;
3. every request of that browser names its device; an unpaired device (``hallq kiosk unpair``)
   is refused from its next request on.

Each function is one transaction and writes an event.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from queues import errors
from queues.context import Context
from queues.store import events
from queues.store.models import KioskDevice

PAIRING_MINUTES = 15
COOKIE_SEPARATOR = "."
PAIR_PATH = "/pair/"
"""Where a pairing code's page is: ``/pair/<code>``."""


@dataclass(frozen=True)
class Pairing:
    code: str
    kiosk: str
    expires_at: datetime


@dataclass(frozen=True)
class Device:
    id: int
    kiosk: str
    paired_at: datetime | None
    created_by: str
    client: str | None
    user_agent: str | None
    revoked_at: datetime | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pairing_code(ctx: Context, kiosk: str, actor: str) -> Pairing:
    """A one-time code that pairs one browser as ``kiosk`` (one of the hall file's)."""
    if ctx.config.kiosk(kiosk) is None:
        raise errors.UnknownKiosk(kiosk=kiosk)
    code = secrets.token_urlsafe(24)
    now = ctx.now()
    expires = now + timedelta(minutes=PAIRING_MINUTES)
    with ctx.db.write() as s:
        s.add(
            KioskDevice(
                kiosk=kiosk,
                code_hash=_hash(code),
                code_expires_at=expires,
                created_at=now,
                created_by=actor[:100],
            )
        )
        events.record(s, "kiosk_pairing_offered", actor, now, kiosk=kiosk)
    return Pairing(code=code, kiosk=kiosk, expires_at=expires)


def pending(ctx: Context, code: str) -> str | None:
    """The kiosk an unused, unexpired ``code`` would pair to (None: no such code now)."""
    with ctx.db.read() as s:
        row = s.scalar(select(KioskDevice).where(KioskDevice.code_hash == _hash(code)))
        if row is None or row.paired_at is not None or row.code_expires_at <= ctx.now():
            return None
        return row.kiosk


def pair(
    ctx: Context, code: str, client: str | None = None, user_agent: str | None = None
) -> tuple[str, str]:
    """Use ``code``: answers (the kiosk, the cookie value the browser keeps). A code works once:
    two browsers opening it at the same moment get one device (a conditional update)."""
    secret = secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as s:
        found = s.execute(
            update(KioskDevice)
            .where(
                KioskDevice.code_hash == _hash(code),
                KioskDevice.paired_at.is_(None),
                KioskDevice.code_expires_at > now,
            )
            .values(
                code_hash=None,
                secret_hash=_hash(secret),
                paired_at=now,
                client=(client or "")[:64] or None,
                user_agent=(user_agent or "")[:200] or None,
            )
            .returning(KioskDevice.id, KioskDevice.kiosk)
        ).first()
        if found is None:
            raise errors.PairingCodeInvalid()
        events.record(s, "kiosk_paired", f"kiosk:{found.kiosk}", now, device=found.id)
    return found.kiosk, f"{found.id}{COOKIE_SEPARATOR}{secret}"


def kiosk_of(ctx: Context, cookie: str | None) -> str | None:
    """The kiosk a device cookie speaks for, or None (no cookie, a forged one, unpaired, or a
    kiosk the hall file no longer has)."""
    if not cookie or len(cookie) > 100:
        return None
    device, _, secret = cookie.partition(COOKIE_SEPARATOR)
    if not device.isdigit() or len(device) > 12 or not secret:
        return None
    with ctx.db.read() as s:
        row = s.get(KioskDevice, int(device))
        if row is None or row.revoked_at is not None or row.secret_hash is None:
            return None
        if not hmac.compare_digest(row.secret_hash, _hash(secret)):
            return None
        return row.kiosk if ctx.config.kiosk(row.kiosk) else None


def devices(ctx: Context) -> list[Device]:
    """Every paired device, newest first, unpaired ones included (for staff to see)."""
    with ctx.db.read() as s:
        rows = s.scalars(
            select(KioskDevice)
            .where(KioskDevice.paired_at.is_not(None))
            .order_by(KioskDevice.id.desc())
        )
        return [
            Device(r.id, r.kiosk, r.paired_at, r.created_by, r.client, r.user_agent, r.revoked_at)
            for r in rows
        ]


def unpair(ctx: Context, device_id: int, actor: str) -> None:
    """End a device: its browser is an anonymous one from its next request on."""
    now = ctx.now()
    with ctx.db.write() as s:
        done = s.execute(
            update(KioskDevice)
            .where(
                KioskDevice.id == device_id,
                KioskDevice.paired_at.is_not(None),
                KioskDevice.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(KioskDevice.kiosk)
        ).first()
        if done is None:
            raise errors.UnknownDevice(device=device_id)
        events.record(s, "kiosk_unpaired", actor, now, device=device_id, kiosk=done.kiosk)
