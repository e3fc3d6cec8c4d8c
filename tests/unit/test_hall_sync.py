"""Applying the hall file to the database: idempotent, and nothing history needs is deleted."""

from __future__ import annotations

from queues.hall.sync import apply_config
from queues.read import counters
from queues.store.models import ProfileService, Service, Window
from sqlalchemy import select

from queues import services
from queues.context import Context
from queues.hall import config
from tests.support import MAIN_HALL

TEXT = MAIN_HALL.read_text(encoding="utf-8")
LAST_WINDOW = TEXT[TEXT.index("[[windows]]\nid = 12\n") :]
"""Window 12, the notary's: the last thing in the tests' hall file."""


def test_applying_the_same_file_twice_changes_nothing(ctx: Context) -> None:
    assert apply_config(ctx.db, ctx.config) == {
        "zones": 0,
        "services": 0,
        "profiles": 0,
        "windows": 0,
    }


def test_removed_window_is_retired_not_deleted(ctx: Context) -> None:
    services.resume(ctx, 12, "admin:test")
    assert LAST_WINDOW.count("[[windows]]") == 1
    shorter = TEXT.removesuffix(LAST_WINDOW)
    assert apply_config(ctx.db, config.parse(shorter))["windows"] == 1
    assert [w.id for w in counters.windows(ctx)] == list(range(1, 12))
    with ctx.db.read() as s:
        assert s.get(Window, 12).active is False


def test_changed_weight_and_name_are_written(ctx: Context) -> None:
    assert TEXT.count('"employment" = 1.5') == TEXT.count("税务登记与申报") == 1
    text = TEXT.replace('"employment" = 1.5', '"employment" = 3').replace(
        "税务登记与申报", "税务综合服务"
    )
    changed = apply_config(ctx.db, config.parse(text))
    assert changed["profiles"] == 1 and changed["services"] == 1
    with ctx.db.read() as s:
        assert s.get(Service, "tax").name_zh == "税务综合服务"
        weight = s.scalar(
            select(ProfileService.weight).where(
                ProfileService.profile_code == "human-resources",
                ProfileService.service_code == "employment",
            )
        )
        assert weight == 3
