"""Applying the hall file to the database: idempotent, and nothing history needs is deleted."""

from __future__ import annotations

from sqlalchemy import select

from queues import services
from queues.context import Context
from queues.hall import config
from queues.hall.sync import apply_config
from queues.read import counters
from queues.store.models import ProfileService, Service, Window
from tests.support import HALL_FILE

TEXT = HALL_FILE.read_text(encoding="utf-8")


def test_applying_the_same_file_twice_changes_nothing(ctx: Context) -> None:
    assert apply_config(ctx.db, ctx.config) == {
        "zones": 0,
        "services": 0,
        "profiles": 0,
        "windows": 0,
    }


def test_removed_window_is_retired_not_deleted(ctx: Context) -> None:
    services.resume(ctx, 35, "admin:test")
    shorter = TEXT[: TEXT.index("[[windows]]\nid = 35")]
    apply_config(ctx.db, config.parse(shorter))
    assert 35 not in [w.id for w in counters.windows(ctx)]
    with ctx.db.read() as s:
        assert s.get(Window, 35).active is False


def test_changed_weight_and_name_are_written(ctx: Context) -> None:
    text = TEXT.replace('"name-reservation" = 1.5', '"name-reservation" = 3').replace(
        "税务登记与申报", "税务综合服务"
    )
    changed = apply_config(ctx.db, config.parse(text))
    assert changed["profiles"] == 1 and changed["services"] == 1
    with ctx.db.read() as s:
        assert s.get(Service, "tax").name_zh == "税务综合服务"
        weight = s.scalar(
            select(ProfileService.weight).where(
                ProfileService.profile_code == "industry-commerce",
                ProfileService.service_code == "name-reservation",
            )
        )
        assert weight == 3
