"""Bring the database's picture of the hall in line with the hall file.

The hall file is the source of truth for zones, services, work profiles and windows. Applying it
inserts what is new, updates what changed and retires (``active = false``) what was removed;
nothing is deleted, because past tickets and events refer to it. Window states (open, paused)
are the day's business and are left alone. Applying the same file twice changes nothing.

A window removed from the file may hold a ticket (called or being served), and tickets may wait
that were transferred to it alone: none of them could ever be finished or called. Each goes back
to its service's queue in its place in line (its issue time), with an event
(``returned_to_queue``), and the boards of the zones concerned move.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, select, text, update
from sqlalchemy.orm import Session

from queues.hall.config import HallConfig
from queues.rules.lifecycle import HELD, Status
from queues.store import events
from queues.store.db import Database
from queues.store.models import (
    BOARD_SHARDS,
    BoardVersion,
    Profile,
    ProfileService,
    Service,
    Step,
    Ticket,
    Window,
    Zone,
)
from queues.store.scope import HALL_PARAM, hall_of

PG_LOCK_KEY = 0x68616C6C  # "hall": serialises two processes applying one hall's file at once
_LOCK = text("SELECT pg_advisory_xact_lock(:k, hashtext(:hall))")
ACTOR = "system:config"
RETURNED = "returned_to_queue"


def apply_config(db: Database, config: HallConfig, now: datetime | None = None) -> dict[str, int]:
    """Write ``config`` into the database as its hall's rows (``[hall] code``), touching no other
    hall's; answer how many rows of each kind changed.

    ``now``: the time of the events it writes (default: the clock's)."""
    now = now or datetime.now(UTC)
    hall = config.hall.code
    if db.hall is None:
        db = db.for_hall(hall)
    elif db.hall != hall:
        raise ValueError(f"the file of hall {hall!r} given the database of hall {db.hall!r}")
    changed = {"zones": 0, "services": 0, "profiles": 0, "windows": 0}
    with db.write() as s:
        if db.dialect == "postgresql":  # one sync of a hall at a time; other halls go on
            s.execute(_LOCK, {"k": PG_LOCK_KEY, "hall": hall})
        changed["zones"] = _zones(s, config)
        changed["services"] = _services(s, config)
        changed["profiles"] = _profiles(s, config)
        changed["windows"] = _windows(s, config, now)
    return changed


def _upsert(s: Session, model: type, key: object, values: dict) -> int:
    row = s.get(model, key)
    if row is None:
        s.add(model(**values))
        return 1
    dirty = 0
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            dirty = 1
    return dirty


def _retire(s: Session, model: type, key_column: object, keep: set) -> int:
    n = 0
    for row in s.scalars(select(model).where(model.active)):
        if getattr(row, key_column) not in keep:
            row.active = False
            n += 1
    return n


def _zones(s: Session, config: HallConfig) -> int:
    n = 0
    for position, z in enumerate(config.zones):
        n += _upsert(
            s,
            Zone,
            (config.hall.code, z.code),
            {
                "code": z.code,
                "name_zh": z.name.zh,
                "name_en": z.name.en,
                "floor": z.floor,
                "position": position,
                "active": True,
            },
        )
        for shard in range(BOARD_SHARDS):
            if s.get(BoardVersion, (config.hall.code, z.code, shard)) is None:
                s.add(BoardVersion(zone_code=z.code, shard=shard, version=0))
    s.flush()
    return n + _retire(s, Zone, "code", {z.code for z in config.zones})


def _services(s: Session, config: HallConfig) -> int:
    changed: set[str] = set()
    # first without first_step, so a service may name one defined further down the file
    for position, svc in enumerate(config.services):
        values = {
            "code": svc.code,
            "zone_code": svc.zone,
            "prefix": svc.prefix,
            "name_zh": svc.name.zh,
            "name_en": svc.name.en,
            "target_minutes": svc.target_minutes,
            "service_minutes": svc.service_minutes,
            "days": ",".join(svc.days),
            "kiosk": svc.kiosk,
            "position": position,
            "active": True,
        }
        if _upsert(s, Service, (config.hall.code, svc.code), values):
            changed.add(svc.code)
    s.flush()
    for svc in config.services:
        row = s.get(Service, (config.hall.code, svc.code))
        if row.first_step_code != svc.first_step:
            row.first_step_code = svc.first_step
            changed.add(svc.code)
    s.flush()
    return len(changed) + _retire(s, Service, "code", {svc.code for svc in config.services})


def _profiles(s: Session, config: HallConfig) -> int:
    n = 0
    for p in config.profiles:
        name = p.name
        n += _upsert(
            s,
            Profile,
            (config.hall.code, p.code),
            {
                "code": p.code,
                "name_zh": name.zh if name else "",
                "name_en": name.en if name else "",
            },
        )
        s.flush()
        have = {
            e.service_code: e
            for e in s.scalars(select(ProfileService).where(ProfileService.profile_code == p.code))
        }
        for code, weight in p.services.items():
            entry = have.pop(code, None)
            if entry is None:
                s.add(ProfileService(profile_code=p.code, service_code=code, weight=weight))
                n += 1
            elif entry.weight != weight:
                entry.weight = weight
                n += 1
        for entry in have.values():
            s.delete(entry)
            n += 1
    s.flush()
    return n


def _windows(s: Session, config: HallConfig, now: datetime) -> int:
    n = 0
    for w in config.windows:
        n += _upsert(
            s,
            Window,
            (config.hall.code, w.id),
            {
                "id": w.id,
                "zone_code": w.zone,
                "profile_code": w.profile,
                "department_zh": w.department.zh,
                "department_en": w.department.en,
                "active": True,
            },
        )
    s.flush()
    keep = {w.id for w in config.windows}
    active = s.scalars(select(Window.id).where(Window.active).order_by(Window.id)).all()
    zones: set[str] = set()
    for window in active:
        if window not in keep and _retire_window(s, window, now, zones):
            n += 1
    events.bump(s, *zones)  # last: the version rows stay locked until commit
    return n


# What a window is asked to give back, with the zone whose queue the ticket returns to.
_GIVEN_BACK = (
    Step.id,
    Step.ticket_id,
    Step.status,
    Step.service_code,
    Ticket.number,
    Service.zone_code.label("service_zone"),
)
_STEPS = Step.__table__.join(Ticket.__table__, Ticket.id == Step.ticket_id).join(
    Service.__table__, and_(Service.hall == Step.hall, Service.code == Step.service_code)
)
# The window, locked (PostgreSQL) as every call locks it first: a call waiting on it finds the
# window retired and calls nothing. FOR NO KEY UPDATE, as in queues.services.
_LOCK_WINDOW = (
    select(Window.zone_code)
    .where(Window.hall == HALL_PARAM, Window.id == bindparam("w"), Window.active)
    .with_for_update(key_share=True)
)
# Read after the lock, in a statement of its own: under READ COMMITTED it sees what was
# committed while the lock was awaited (a ticket called a moment ago).
_HELD = (
    select(*_GIVEN_BACK)
    .select_from(_STEPS)
    .where(Step.hall == HALL_PARAM, Step.window_id == bindparam("w"), Step.status.in_(HELD))
)
_SENT_TO = (
    select(*_GIVEN_BACK)
    .select_from(_STEPS)
    .where(
        Step.hall == HALL_PARAM,
        Step.target_window_id == bindparam("w"),
        Step.status == Status.WAITING,
    )
    .order_by(Step.id)
)
# Conditional on the status it was read in: a clerk's action on the ticket (start, finish,
# transfer) may come first, and then this changes nothing. The step waits again as
# it did before the call, keeping its place (queued_at) and the time its wait began (entered_at).
_RETURN = (
    update(Step.__table__)
    .where(Step.id == bindparam("b_step"), Step.status == bindparam("b_was"))
    .values(
        status=Status.WAITING,
        window_id=None,
        clerk=None,
        called_at=None,
        last_called_at=None,
        started_at=None,
        recalls=0,
        target_window_id=case(
            (Step.target_window_id == bindparam("b_window"), None),
            else_=Step.target_window_id,
        ),
    )
)
_RETIRE_WINDOW = (
    update(Window.__table__)
    .where(Window.hall == HALL_PARAM, Window.id == bindparam("w"))
    .values(active=False)
)


def _retire_window(s: Session, window: int, now: datetime, zones: set[str]) -> bool:
    """Retire ``window``, giving back to their queues the ticket it holds and those sent to it;
    add to ``zones`` those whose screens change."""
    zone = s.scalar(_LOCK_WINDOW, {"w": window})
    if zone is None:
        return False
    zones.add(zone)  # its screens no longer show the window
    # The clerk may still start, finish or transfer the held ticket meanwhile: read it again
    # until it is given back or the window holds none (its status only moves forward).
    while (held := s.execute(_HELD, {"w": window}).first()) is not None:
        if _return(s, held, window, now):
            zones.add(held.service_zone)
            break
    # Read after the held ticket: a transfer to this window committed meanwhile is seen; one
    # still running holds the window FOR SHARE (queues.services.transfer), so the lock above
    # waited for it, or it waits for this and then finds the window retired.
    for sent in s.execute(_SENT_TO, {"w": window}).all():
        if _return(s, sent, window, now):
            zones.add(sent.service_zone)
    s.execute(_RETIRE_WINDOW, {"w": window, HALL_PARAM.key: hall_of(s)})
    return True


def _return(s: Session, step: Row[Any], window: int, now: datetime) -> bool:
    """Put ``step`` back in its queue; False if its status changed since it was read."""
    params = {"b_step": step.id, "b_was": step.status, "b_window": window}
    if s.execute(_RETURN, params).rowcount != 1:
        return False
    events.record(
        s,
        RETURNED,
        ACTOR,
        now,
        ticket_id=step.ticket_id,
        window_id=window,
        number=step.number,
        service=step.service_code,
        previous=step.status,
        reason="window_removed",
    )
    return True
