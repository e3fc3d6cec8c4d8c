"""The hall file: the shipped one loads; a mistake names its line and key, never a traceback.

The mistakes are made in the tests' hall (tests/halls/main.toml); only the first two tests are
about the hall file hallq ships with (config/hall.toml).
"""

from __future__ import annotations

from datetime import date

import pytest

from queues.hall import config
from tests.support import HALLS, MAIN_HALL, SHIPPED_HALL, beijing

TEXT = MAIN_HALL.read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


def error_of(text: str) -> str:
    with pytest.raises(config.ConfigError) as info:
        config.parse(text, "hall.toml")
    return str(info.value)


def test_shipped_hall_matches_the_report() -> None:
    """The hall `make run` starts: the district centre of the 2013 report, as shipped."""
    cfg = config.load(SHIPPED_HALL)
    assert cfg.hall.timezone == "Asia/Shanghai"
    assert len(cfg.windows) == 35 and len(cfg.services) >= 20
    assert [z.code for z in cfg.zones] == ["construction", "general", "social"]
    assert {z.code: z.floor for z in cfg.zones}["social"] == 2
    construction = [s for s in cfg.services if s.zone == "construction"]
    assert sum(1 for s in construction if s.first_step == "project-registration") >= 5
    assert all(s.name.zh and s.name.en for s in cfg.services)
    desk = [w.id for w in cfg.windows if w.profile == "registration-desk"]
    assert desk == [1, 2]


def test_every_shipped_service_is_served_by_some_window() -> None:
    cfg = config.load(SHIPPED_HALL)
    served = {code for p in cfg.profiles for code in p.services}
    used_profiles = {w.profile for w in cfg.windows}
    assert used_profiles == {p.code for p in cfg.profiles}
    assert {s.code for s in cfg.services} <= served


def test_the_tests_hall_is_the_plan_in_its_header() -> None:
    cfg = config.load(MAIN_HALL)
    assert [(z.code, z.floor) for z in cfg.zones] == [
        ("construction", 1),
        ("general", 1),
        ("social", 2),
    ]
    assert {code: sorted(ids) for code, ids in cfg.windows_serving.items()} == {
        "project-registration": [1, 2],
        "construction-permit": [3],
        "seal-filing": [4],
        "tax": [5],
        "real-estate": [6],
        "housing-fund": [7],
        "social-insurance": [8, 9, 10],
        "employment": [8, 9, 10],
        "social-assistance": [11],
        "notary": [12],
    }
    assert [k.id for k in cfg.kiosks] == ["k1", "k2", "k3"]


def test_unknown_key_names_line_and_key() -> None:
    message = error_of(broken("target_minutes = 30", "tagret_minutes = 30"))
    line = TEXT.splitlines().index("target_minutes = 30") + 1
    assert f"line {line}" in message and "tagret_minutes" in message and "unknown key" in message


def test_bad_prefix_is_reported_on_its_line() -> None:
    message = error_of(broken('prefix = "Q"', 'prefix = "q1"'))
    line = TEXT.splitlines().index('prefix = "Q"') + 1
    assert f"line {line}" in message and "prefix" in message


def test_reference_to_unknown_profile() -> None:
    message = error_of(broken('profile = "notary"', 'profile = "notaries"'))
    # window 12, the twelfth [[windows]] of the file
    assert "notaries" in message and "windows[11].profile" in message and "line" in message


def test_a_window_prints_only_at_a_kiosk_of_the_hall() -> None:
    message = error_of(broken('profile = "notary"', 'profile = "notary"\nprint_at = "k9"'))
    assert "no kiosk 'k9'" in message and "windows[11].print_at" in message
    fine = config.parse(broken('profile = "notary"', 'profile = "notary"\nprint_at = "k3"'), "h")
    assert [w.print_at for w in fine.windows][-1] == "k3"
    village = config.load(HALLS / "village.toml")
    assert village.kiosks == [] and all(w.print_at is None for w in village.windows)


def test_profile_naming_unknown_service() -> None:
    message = error_of(broken('services = { "tax" = 1 }', 'services = { "taxes" = 1 }'))
    assert "no service 'taxes'" in message


def test_duplicate_window_id() -> None:
    message = error_of(broken("id = 12", "id = 11"))
    assert "'11' appears twice" in message


def test_missing_required_key() -> None:
    message = error_of(broken('department = { zh = "公证处", en = "Notary Office" }\n', ""))
    assert "department: required but missing" in message


def test_unknown_time_zone() -> None:
    message = error_of(broken('timezone = "Asia/Shanghai"', 'timezone = "Asia/Beijing"'))
    line = TEXT.splitlines().index('timezone = "Asia/Shanghai"') + 1
    assert "Asia/Beijing" in message and f"line {line}" in message


def test_hours_must_be_ordered() -> None:
    assert "close must be later than open" in error_of(broken('close = "17:00"', 'close = "08:00"'))


def test_not_toml_at_all() -> None:
    assert "not valid TOML" in error_of("[hall\nname = 1")


def test_missing_file() -> None:
    with pytest.raises(config.ConfigError, match="no such file"):
        config.load("/nonexistent/hall.toml")


def test_holidays_and_make_up_workdays() -> None:
    text = broken("holidays = []", "holidays = [2026-10-01]")
    cfg = config.parse(text.replace("workdays = []", "workdays = [2026-10-10]", 1))
    hours = cfg.hours
    assert not hours.is_working_day(date(2026, 10, 1))  # a Thursday, but a holiday
    assert hours.is_working_day(date(2026, 10, 10))  # a Saturday made a working day
    assert hours.issuing(beijing(2026, 10, 10, 9, 0).astimezone(cfg.tz))
    assert not hours.issuing(beijing(2026, 10, 9, 16, 31).astimezone(cfg.tz))


def test_booking_section_defaults_and_limits() -> None:
    """[booking] is optional (the contract's defaults); a bad value names its line and key."""
    cfg = config.load(MAIN_HALL)
    b = cfg.booking
    assert (b.enabled, b.horizon_days, b.slot_minutes, b.walk_in_share) == (True, 5, 30, 0.4)
    assert (b.grace_minutes, b.early_minutes, b.bar_days) == (15, 60, 30)
    assert (b.no_shows_per_month, b.cancels_per_month, b.same_matter_per_day) == (2, 5, 3)
    assert all(s.bookable for s in cfg.services)
    text = TEXT + "\n[booking]\nwalk_in_share = 1.0\n"
    message = error_of(text)
    line = text.splitlines().index("walk_in_share = 1.0") + 1
    assert "booking.walk_in_share" in message and f"line {line}" in message
    assert "slot_minutes" in error_of(TEXT + "\n[booking]\nslot_minutes = 600\n")
    assert "unknown key" in error_of(TEXT + "\n[booking]\nslots = 3\n")
    ok = config.parse(TEXT + "\n[booking]\nslot_minutes = 20\nwalk_in_share = 0\n", "h")
    assert ok.booking.slot_minutes == 20 and ok.booking.walk_in_share == 0
    assert "bookable" in error_of(broken('prefix = "Q"', 'prefix = "Q"\nbookable = "yes"'))
