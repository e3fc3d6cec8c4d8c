"""Webhook deliveries, written by :func:`queues.store.events.record` in the event's transaction.

Which endpoints take which events is kept in memory, per database engine, and read again at
most every ``REFRESH_SECONDS`` (one query for every hall, by whichever event comes first after
that): an event asks a dictionary, never the database, whether anyone subscribes. A busy hall
with no endpoint for an event type pays nothing for that event; one with an endpoint pays one
read of the ticket's row (number, service, zone, times) and one insert of the deliveries.
Registering or deactivating an endpoint forgets this process's map at once (:func:`forget`);
other processes see the change within ``REFRESH_SECONDS``.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.orm import Session

from queues.rules import webhook as rule
from queues.store.models import Service, Step, Ticket, Webhook, WebhookDelivery

REFRESH_SECONDS = 2.0

_hooks = Webhook.__table__
_LOAD = select(_hooks.c.id, _hooks.c.hall, _hooks.c.events).where(_hooks.c.active)
_INSERT = insert(WebhookDelivery.__table__)
_t, _st, _sv = Ticket.__table__, Step.__table__, Service.__table__
_TICKET = (
    select(
        _t.c.number,
        _t.c.issued_at,
        _st.c.service_code.label("service"),
        _sv.c.zone_code.label("zone"),
        _st.c.window_id.label("window"),
        _st.c.called_at,
        _st.c.started_at,
        _st.c.finished_at,
    )
    .select_from(
        _t.join(_st, _st.c.ticket_id == _t.c.id).outerjoin(
            _sv, (_sv.c.hall == _st.c.hall) & (_sv.c.code == _st.c.service_code)
        )
    )
    .where(_t.c.id == bindparam("f_ticket"))
    .order_by(_st.c.n.desc())
    .limit(1)
)


@dataclass
class _Map:
    loaded: float = -1e9
    """``time.monotonic()`` of the last read; ``-1e9``: never (or forgotten)."""
    by: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    """(hall, type on the wire) → the active endpoints that take it."""


_maps: weakref.WeakKeyDictionary[Engine, _Map] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _map_of(s: Session) -> _Map:
    engine = s.get_bind().engine
    with _lock:
        found = _maps.get(engine)
        if found is None:
            found = _maps[engine] = _Map()
    if time.monotonic() - found.loaded >= REFRESH_SECONDS:
        by: dict[tuple[str, str], list[int]] = {}
        for hook_id, hall, types in s.execute(_LOAD).all():
            for kind in types or ():
                by.setdefault((hall, kind), []).append(hook_id)
        found.by = {key: tuple(ids) for key, ids in by.items()}
        found.loaded = time.monotonic()
    return found


def forget(engine: Engine) -> None:
    """Read the subscriptions again at the next event (an endpoint came or went here)."""
    with _lock:
        found = _maps.get(engine)
        if found is not None:
            found.loaded = -1e9


def hooks_for(s: Session, hall: str | None, kind: str) -> tuple[int, ...]:
    """The endpoints of ``hall`` that take events of ``kind`` (none: no query at all, but the
    map's read every ``REFRESH_SECONDS``)."""
    wire = rule.type_of(kind)
    if wire is None or hall is None:
        return ()
    return _map_of(s).by.get((hall, wire), ())


def write(
    s: Session,
    hooks: tuple[int, ...],
    *,
    event_id: int,
    kind: str,
    at: datetime,
    hall: str,
    ticket_id: int | None,
    window_id: int | None,
    data: dict[str, Any],
) -> None:
    """One pending delivery per endpoint, of the same body, in the event's transaction."""
    ticket = None
    if ticket_id is not None:
        found = s.execute(_TICKET, {"f_ticket": ticket_id}).first()
        ticket = dict(found._mapping) if found is not None else None
    text = rule.body(
        rule.payload(
            event_id=event_id,
            kind=kind,
            at=at,
            hall=hall,
            data=data,
            ticket=ticket,
            window_id=window_id,
        )
    )
    s.execute(
        _INSERT,
        [
            {
                "hall": hall,
                "webhook_id": hook,
                "event_id": event_id,
                "type": rule.KIND_TYPE[kind],
                "body": text,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": at,
                "created_at": at,
            }
            for hook in hooks
        ],
    )
