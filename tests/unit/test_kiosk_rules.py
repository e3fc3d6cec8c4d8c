"""What issue 11 adds to the hall file and the use cases for the kiosk: the green-channel flag per
matter, the closing-time rule on every ticket issued, and a visitor's call for staff."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from queues import errors, services
from queues.access.requesters import Requester
from queues.hall import config
from queues.read import alerts
from queues.rules import issuing
from queues.store.models import Alert, Event, Ticket
from tests.support import (
    MAIN_HALL,
    SHANGHAI,
    SHIPPED_HALL,
    Clock,
    beijing,
    hall_file,
    make_context,
)

TEXT = MAIN_HALL.read_text(encoding="utf-8")


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=SHANGHAI)  # a Tuesday; closes at 17:00


def with_rules(**rules: str | int) -> config.HallConfig:
    text = TEXT.replace(
        "[rules]\n", "[rules]\n" + "".join(f"{k} = {v}\n" for k, v in rules.items())
    )
    return config.parse(text)


# --- the green channel, per matter --------------------------------------------------------------


def test_the_shipped_hall_offers_the_green_channel_on_construction_approvals_only() -> None:
    cfg = config.load(SHIPPED_HALL)
    green = {s.code for s in cfg.services if s.green_channel}
    assert {"project-approval", "construction-permit", "fire-design"} <= green
    assert {s.zone for s in cfg.services if s.green_channel} == {"construction"}
    assert "tax" not in green and "social-insurance" not in green


def test_a_bad_green_channel_flag_names_its_line() -> None:
    bad = TEXT.replace('code = "tax"\n', 'code = "tax"\ngreen_channel = "yes"\n', 1)
    with pytest.raises(config.ConfigError, match=r"line \d+: services\[3\]\.green_channel"):
        config.parse(bad)
    hidden = TEXT.replace('code = "tax"\n', 'code = "tax"\ngreen_channel = true\nkiosk = false\n')
    with pytest.raises(config.ConfigError, match="green_channel needs kiosk = true"):
        config.parse(hidden)


# --- a wait past closing time -------------------------------------------------------------------


def test_a_wait_that_ends_after_closing_is_late_and_the_margin_counts() -> None:
    cfg = with_rules()  # warn, no margin
    assert issuing.late(cfg, at(16, 0), 59) is None
    assert issuing.late(cfg, at(16, 0), 61) == "warn"
    assert issuing.late(cfg, at(16, 0), None) is None  # no wait known: nothing to say
    assert issuing.late(cfg, at(16, 0), 61, open_always=True) is None  # no closing time
    margin = with_rules(late_wait='"refuse"', late_wait_margin_minutes=10)
    assert issuing.late(margin, at(16, 0), 49) is None
    assert issuing.late(margin, at(16, 0), 51) == "refuse"
    assert issuing.late(with_rules(late_wait='"off"'), at(16, 0), 300) is None
    with pytest.raises(config.ConfigError, match="late_wait"):
        with_rules(late_wait='"maybe"')


def test_refused_for_visitors_and_kiosks_alike_warned_for_staff(
    tmp_path: Path, sqlite_url: str
) -> None:
    hall = hall_file(tmp_path, MAIN_HALL, late_wait='"refuse"')
    clock = Clock(beijing(2026, 11, 24, 16, 0))
    ctx = make_context(sqlite_url, clock, hall=hall)
    services.resume(ctx, 5, "clerk:test")  # window 5 calls tax, 10 minutes a ticket
    for _ in range(7):  # each waits 10 minutes more: the 7th is called at 17:00, in time
        assert not services.issue(ctx, "tax").late
    for by in (Requester.visitor("10.0.0.9"), Requester.at_kiosk("k1")):
        with pytest.raises(errors.WaitPastClosing) as refused:
            services.issue(ctx, "tax", by=by)
        assert "17:00" in refused.value.message("zh")
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 7  # nothing written
    staff = services.issue(ctx, "tax", by=Requester.staff("user:li"))
    assert staff.late and staff.ticket.number == "T008"  # the refused took no number
    warned = make_context(sqlite_url, clock, hall=hall_file(tmp_path, MAIN_HALL))
    assert services.issue(warned, "tax", by=Requester.visitor("10.0.0.9")).late


# --- help -------------------------------------------------------------------------------------


def test_a_call_for_help_is_an_alert_until_staff_answer_it(any_ctx, clock: Clock) -> None:
    ctx = any_ctx
    k1 = Requester.at_kiosk("k1")
    assert services.call_staff(ctx, k1) is True
    assert services.call_staff(ctx, k1) is False  # the same call, tapped again
    with pytest.raises(errors.RateLimited):  # two a minute from one kiosk (the default)
        services.call_staff(ctx, k1)
    assert services.call_staff(ctx, Requester.at_kiosk("k2")) is True  # another kiosk
    alerts.evaluate(ctx)  # the minute's check leaves calls for help open
    (call, other) = [a for a in alerts.open_alerts(ctx) if a.kind == "help"]
    assert (call.subject, call.detail["calls"], other.subject) == ("k1", 2, "k2")
    create_app(ctx)  # the manager's alerts list says it, in words
    from pages import dashboard

    shown = str(dashboard.alert_list(ctx, None, "zh"))
    assert "取号机 k1：访客请求帮助（2 次）" in shown and "取号机 k2：访客请求帮助（1 次）" in shown
    clock.advance(seconds=61)
    assert services.call_staff(ctx, k1) is False  # a minute on: counted again
    assert services.answer_help(ctx, call.id, "user:li") is True
    assert services.answer_help(ctx, call.id, "user:li") is False
    assert [a.subject for a in alerts.open_alerts(ctx) if a.kind == "help"] == ["k2"]
    with ctx.db.read() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("help_%"))))
    assert kinds.count("help_requested") == 4 and kinds.count("help_answered") == 1
    clock.advance(days=1)
    alerts.evaluate(ctx)  # yesterday's unanswered call does not hang on
    with ctx.db.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(Alert).where(Alert.closed_at.is_(None))) == 0
        )
