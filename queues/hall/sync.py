"""Bring the database's picture of the hall in line with the hall file.

The hall file is the source of truth for zones, services, work profiles and windows. Applying it
inserts what is new, updates what changed and retires (``active = false``) what was removed;
nothing is deleted, because past tickets and events refer to it. Window states (open, paused)
are the day's business and are left alone. Applying the same file twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from queues.hall.config import HallConfig
from queues.store.db import Database
from queues.store.models import (
    BOARD_SHARDS,
    BoardVersion,
    Profile,
    ProfileService,
    Service,
    Window,
    Zone,
)

PG_LOCK_KEY = 0x68616C6C  # "hall": serialises two processes applying the file at once


def apply_config(db: Database, config: HallConfig) -> dict[str, int]:
    """Write ``config`` into the database; answer how many rows of each kind changed."""
    changed = {"zones": 0, "services": 0, "profiles": 0, "windows": 0}
    with db.write() as s:
        if db.dialect == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        changed["zones"] = _zones(s, config)
        changed["services"] = _services(s, config)
        changed["profiles"] = _profiles(s, config)
        changed["windows"] = _windows(s, config)
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
            z.code,
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
            if s.get(BoardVersion, (z.code, shard)) is None:
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
        if _upsert(s, Service, svc.code, values):
            changed.add(svc.code)
    s.flush()
    for svc in config.services:
        row = s.get(Service, svc.code)
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
            p.code,
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


def _windows(s: Session, config: HallConfig) -> int:
    n = 0
    for w in config.windows:
        n += _upsert(
            s,
            Window,
            w.id,
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
    return n + _retire(s, Window, "id", {w.id for w in config.windows})
