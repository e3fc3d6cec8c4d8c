"""The two writes every state change ends with: its event, and the board versions it moves."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from queues.store import fanout
from queues.store.models import BOARD_SHARDS, BoardVersion, Event
from queues.store.scope import HALL_PARAM, hall_of

_INSERT_EVENT = insert(Event.__table__)
_INSERT_EVENT_ID = insert(Event.__table__).returning(Event.__table__.c.id)
_versions = BoardVersion.__table__
_BUMP = (
    update(_versions)
    .where(
        _versions.c.hall == HALL_PARAM,
        _versions.c.zone_code == bindparam("b_zone"),
        _versions.c.shard == bindparam("b_shard"),
    )
    .values(version=_versions.c.version + 1)
    .returning(_versions.c.version)
)
BUMPED = "hallq_bumped"
"""Where a session notes the shards it bumped, with their new versions, for its database's
feed to hear once the transaction commits (:mod:`queues.store.feed`)."""


def record(
    s: Session,
    kind: str,
    actor: str,
    at: datetime,
    *,
    ticket_id: int | None = None,
    window_id: int | None = None,
    **data: Any,
) -> None:
    """Append one row to the events table: what happened, to what, by whom, when, in which
    hall (the session's; None in a network session). An event some webhook takes gets its
    deliveries in the same transaction (:mod:`queues.store.fanout`)."""
    hall = hall_of(s)
    row = {
        "hall": hall,
        "at": at,
        "kind": kind,
        "actor": actor,
        "ticket_id": ticket_id,
        "window_id": window_id,
        "data": data,
    }
    hooks = fanout.hooks_for(s, hall, kind)
    if not hooks or hall is None:
        s.execute(_INSERT_EVENT, row)
        return
    event_id = s.execute(_INSERT_EVENT_ID, row).scalar_one()
    fanout.write(
        s,
        hooks,
        event_id=event_id,
        kind=kind,
        at=at,
        hall=hall,
        ticket_id=ticket_id,
        window_id=window_id,
        data=data,
    )


DEFERRED_BUMPS = "hallq_deferred_bumps"
"""Where a batch's session notes the zones to bump when it ends."""


def bump(s: Session, *zones: str | None) -> None:
    """Move the board version of ``zones`` (in a fixed order, so writers never deadlock).

    Called last in a transaction: on PostgreSQL the version row stays locked until commit, and
    every writer of the zone would queue on it; a random one of the zone's shards is bumped.
    Inside a batch (``Database.batch``) the zones are noted and bumped once when it ends.
    The new versions are noted in the session for the feed (:data:`BUMPED`): one statement per
    zone, as before, answering the shard's version.
    """
    deferred = s.info.get(DEFERRED_BUMPS)
    if deferred is not None:
        deferred.update(z for z in zones if z)
        return
    hall = hall_of(s)
    bumped = s.info.setdefault(BUMPED, [])
    for zone in sorted({z for z in zones if z}):
        shard = random.randrange(BOARD_SHARDS)
        params = {HALL_PARAM.key: hall, "b_zone": zone, "b_shard": shard}
        version = s.execute(_BUMP, params).scalar()
        if version is not None:  # a zone the hall has (the hall file made its rows)
            bumped.append((hall, zone, shard, version))
