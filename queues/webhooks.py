"""Webhooks: endpoints a manager registers, and the signed delivery of the hall's events to them.

An endpoint (``url``, ``secret``, the event types it takes) belongs to a hall. Every event of
those types gets a delivery row in the event's own transaction (:mod:`queues.store.fanout`): an
event rolled back has no delivery, a committed one has exactly one per endpoint. The worker
(:mod:`runtime.webhook_worker`) POSTs each delivery after commit, signed
(:func:`queues.rules.webhook.signature`), through the outbox lifecycle (:mod:`queues.outbox`):
2xx is ``delivered``; anything else, a timeout or a refused address puts it back with a growing
pause, and after ``MAX_ATTEMPTS`` it is ``failed``, for a manager to replay once the receiver is
fixed. The deliveries are the endpoint's log; a failure given up, a replay, a registration and a
deactivation are also events.

**Addresses.** An endpoint may not point into the server's own network: a URL whose host is, or
resolves to, a loopback, private, link-local or otherwise non-public address is refused when it
is registered, and again at each delivery (a name may resolve elsewhere later), and the
connection goes to the address that was checked. ``HALLQ_WEBHOOK_LOCAL=1`` lifts this (tests,
a receiver on the same machine).

The secret is stored (it signs every delivery) and shown once, in the answer that registers the
endpoint; no list or page shows it again.
"""

from __future__ import annotations

import ipaddress
import os
import secrets as secrets_module
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from queues import errors, outbox
from queues.context import Context
from queues.inputs import WEBHOOK_SECRET_MAX, WEBHOOK_SECRET_MIN, WEBHOOK_URL_MAX
from queues.rules.webhook import TYPES
from queues.store import events, fanout
from queues.store.db import Database
from queues.store.models import Webhook, WebhookDelivery

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
"""Tries before a delivery is ``failed``: about 4 minutes of pauses (2, 4 … 120 s)."""
MOST_PAUSE_SECONDS = 120
LOCAL_SETTING = "HALLQ_WEBHOOK_LOCAL"
STATUSES = ("pending", "sending", "delivered", "failed")
Resolver = Callable[[str, int], list[str]]


def local_allowed() -> bool:
    """Whether endpoints may be on loopback or private addresses (``HALLQ_WEBHOOK_LOCAL=1``)."""
    return os.environ.get(LOCAL_SETTING, "") == "1"


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """Where a URL leads: the host as named, the port, and the checked addresses."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: list[str]


def check_url(url: str, *, allow_local: bool | None = None, resolve: Resolver = _resolve) -> Target:
    """The URL's target, if it is an http(s) URL whose host resolves to public addresses only
    (or any, with ``allow_local``); else ``InvalidWebhookUrl`` or ``WebhookUrlRefused``."""
    allow = local_allowed() if allow_local is None else allow_local
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise errors.InvalidWebhookUrl(url=text[:100]) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(text) > WEBHOOK_URL_MAX
        or parts.username is not None
        or parts.password is not None
    ):
        raise errors.InvalidWebhookUrl(url=text[:100])
    host = parts.hostname
    try:
        addresses = [host] if _literal(host) else resolve(host, port)
    except (OSError, UnicodeError):
        raise errors.WebhookUrlRefused(url=text[:100], address=host) from None
    if not addresses:
        raise errors.WebhookUrlRefused(url=text[:100], address=host)
    if not allow:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise errors.WebhookUrlRefused(url=text[:100], address=address)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses)


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# --- endpoints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HookView:
    """An endpoint as managers see it: never its secret."""

    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    created_by: str
    pending: int
    failed: int
    last_status: str | None
    """The newest delivery's status (None: none yet)."""
    last_at: datetime | None
    """When the newest delivery was written."""
    last_error: str | None


@dataclass(frozen=True)
class Registered:
    hook: HookView
    secret: str
    """Shown this once."""


def _events_of(types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(types))
    if not chosen:
        raise errors.WebhookEventsRequired()
    for kind in chosen:
        if kind not in TYPES:
            raise errors.UnknownWebhookEvent(event=str(kind)[:32])
    return [kind for kind in TYPES if kind in chosen]


def register(
    ctx: Context, url: str, types: Iterable[str], by: str, secret: str | None = None
) -> Registered:
    """A new endpoint of the hall, taking ``types``; with a secret made here unless given."""
    check_url(url)
    chosen = _events_of(types)
    if secret is None or not secret.strip():
        secret = secrets_module.token_urlsafe(32)
    if not WEBHOOK_SECRET_MIN <= len(secret) <= WEBHOOK_SECRET_MAX:
        raise errors.WebhookSecretLength(least=WEBHOOK_SECRET_MIN, most=WEBHOOK_SECRET_MAX)
    now = ctx.now()
    with ctx.db.write() as s:
        hook = Webhook(
            url=url.strip(),
            secret=secret,
            events=chosen,
            active=True,
            created_at=now,
            created_by=by[:100],
        )
        s.add(hook)
        s.flush()
        events.record(s, "webhook_registered", by, now, webhook=hook.id, types=chosen)
        view = _views(s, [hook])[0]
    fanout.forget(ctx.db.engine)
    return Registered(view, secret)


def hooks(ctx: Context, *, active_only: bool = False) -> list[HookView]:
    """The hall's endpoints, newest first, each with its newest delivery's state."""
    query = select(Webhook).order_by(Webhook.id.desc())
    if active_only:
        query = query.where(Webhook.active)
    with ctx.db.read() as s:
        return _views(s, list(s.scalars(query)))


def hook(ctx: Context, hook_id: int) -> HookView:
    with ctx.db.read() as s:
        return _views(s, [_hook(s, hook_id)])[0]


def _hook(s: Session, hook_id: int, *, lock: bool = False) -> Webhook:
    found = s.get(Webhook, hook_id, with_for_update=lock)
    if found is None:
        raise errors.UnknownWebhook(webhook=hook_id)
    return found


def _views(s: Session, rows: list[Webhook]) -> list[HookView]:
    ids = [h.id for h in rows]
    counts: dict[tuple[int, str], int] = {}
    newest: dict[int, WebhookDelivery] = {}
    if ids:
        d = WebhookDelivery
        for hook_id, status, n in s.execute(
            select(d.webhook_id, d.status, func.count())
            .where(d.webhook_id.in_(ids), d.status.in_(("pending", "sending", "failed")))
            .group_by(d.webhook_id, d.status)
        ):
            counts[(hook_id, status)] = n
        last_ids = select(func.max(d.id)).where(d.webhook_id.in_(ids)).group_by(d.webhook_id)
        for row in s.scalars(select(d).where(d.id.in_(last_ids))):
            newest[row.webhook_id] = row
    out = []
    for h in rows:
        last = newest.get(h.id)
        out.append(
            HookView(
                id=h.id,
                url=h.url,
                events=list(h.events or []),
                active=h.active,
                created_at=h.created_at,
                created_by=h.created_by,
                pending=counts.get((h.id, "pending"), 0) + counts.get((h.id, "sending"), 0),
                failed=counts.get((h.id, "failed"), 0),
                last_status=last.status if last else None,
                last_at=last.created_at if last else None,
                last_error=last.last_error if last else None,
            )
        )
    return out


def deactivate(ctx: Context, hook_id: int, by: str) -> HookView:
    """Stop an endpoint: it takes no more events, and what waited for it is ``failed`` (a
    replay needs it active). Deactivating it again changes nothing."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = _hook(s, hook_id, lock=True)
        if found.active:
            found.active, found.deactivated_at = False, now
            s.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.webhook_id == found.id,
                    WebhookDelivery.status.in_(("pending", "sending")),
                )
                .values(status="failed", last_error="deactivated")
                .execution_options(synchronize_session=False)
            )
            events.record(s, "webhook_deactivated", by, now, webhook=found.id)
        view = _views(s, [found])[0]
    fanout.forget(ctx.db.engine)
    return view


# --- the delivery log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryView:
    id: int
    webhook_id: int
    event_id: int | None
    type: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    body: str


def _delivery_view(d: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=d.id,
        webhook_id=d.webhook_id,
        event_id=d.event_id,
        type=d.type,
        status=d.status,
        attempts=d.attempts,
        created_at=d.created_at,
        next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        delivered_at=d.delivered_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        body=d.body,
    )


def deliveries(
    ctx: Context, hook_id: int, *, status: str | None = None, limit: int = 50
) -> list[DeliveryView]:
    """An endpoint's deliveries, newest first (``status``: only those)."""
    with ctx.db.read() as s:
        _hook(s, hook_id)
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(max(1, min(limit, 200)))
        )
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        return [_delivery_view(d) for d in s.scalars(query)]


def replay(ctx: Context, hook_id: int, delivery_id: int, by: str) -> DeliveryView:
    """Send a failed delivery again, the same body, from its first try's pause."""
    now = ctx.now()
    with ctx.db.write() as s:
        found = _hook(s, hook_id)
        row = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.webhook_id != found.id:
            raise errors.UnknownDelivery(delivery=delivery_id)
        if not found.active:
            raise errors.WebhookInactive(webhook=found.id)
        if row.status != "failed":
            raise errors.DeliveryNotFailed(delivery=row.id, status=row.status)
        row.status, row.attempts, row.next_attempt_at = "pending", 0, now
        row.claimed_at = row.claimed_by = None
        events.record(s, "webhook_replayed", by, now, webhook=found.id, delivery=row.id)
        return _delivery_view(row)


# --- the worker's side (a network session: every hall's deliveries) -------------------------------


@dataclass(frozen=True)
class Task:
    delivery_id: int
    webhook_id: int
    hall: str
    url: str
    secret: str
    type: str
    body: str
    attempts: int


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return outbox.due(WebhookDelivery, now, LEASE)


def due_hooks(db: Database, now: datetime, *, exclude: Iterable[int] = ()) -> list[int]:
    """The endpoints with deliveries due now, but ``exclude`` (their lanes are busy)."""
    query = select(WebhookDelivery.webhook_id).where(_due(now)).distinct()
    excluded = list(exclude)
    if excluded:
        query = query.where(WebhookDelivery.webhook_id.not_in(excluded))
    with db.read() as s:
        return list(s.scalars(query))


def claim(db: Database, worker: str, hook_id: int, now: datetime, limit: int = 10) -> list[Task]:
    """Take up to ``limit`` due deliveries of one endpoint, oldest first. Those of an endpoint
    deactivated meanwhile are ``failed`` instead."""
    tasks: list[Task] = []
    with db.write() as s:
        found = s.get(Webhook, hook_id)
        ids = list(
            s.scalars(
                select(WebhookDelivery.id)
                .where(_due(now), WebhookDelivery.webhook_id == hook_id)
                .order_by(WebhookDelivery.id)
                .limit(limit)
            )
        )
        for delivery_id in ids:
            if found is None or not found.active:
                s.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == delivery_id, _due(now))
                    .values(status="failed", last_error="deactivated")
                    .execution_options(synchronize_session=False)
                )
                continue
            if not outbox.take(s, WebhookDelivery, delivery_id, worker, now, LEASE):
                continue
            row = s.get_one(WebhookDelivery, delivery_id)
            s.refresh(row)
            tasks.append(
                Task(
                    delivery_id=row.id,
                    webhook_id=found.id,
                    hall=row.hall,
                    url=found.url,
                    secret=found.secret,
                    type=row.type,
                    body=row.body,
                    attempts=row.attempts,
                )
            )
    return tasks


def delivered(db: Database, delivery_id: int, now: datetime, status_code: int) -> None:
    """The receiver answered 2xx. Idempotent."""
    with db.write() as s:
        row = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.status == "delivered":
            return
        row.status, row.delivered_at = "delivered", now
        row.last_status_code, row.claimed_at = status_code, None


def failed(
    db: Database, delivery_id: int, now: datetime, error: str, status_code: int | None = None
) -> datetime | None:
    """The receiver did not take it: tried again after a pause (answers when), or, after
    ``MAX_ATTEMPTS``, ``failed`` with an event (answers None)."""
    with db.write() as s:
        row = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if row is None or row.status in ("delivered", "failed"):
            return None
        row.last_error, row.last_status_code = error[:2000], status_code
        row.claimed_at = None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            s.info["hall"] = row.hall  # the event belongs to the delivery's hall
            try:
                events.record(
                    s,
                    "webhook_given_up",
                    "webhook-worker",
                    now,
                    webhook=row.webhook_id,
                    delivery=row.id,
                    error=error[:500],
                )
            finally:
                s.info.pop("hall", None)
            return None
        row.status = "pending"
        row.next_attempt_at = now + outbox.backoff(row.attempts, most=MOST_PAUSE_SECONDS)
        return row.next_attempt_at
