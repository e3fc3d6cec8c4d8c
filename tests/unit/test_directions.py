"""Where a visitor is sent, in words: one definition for every screen (queues/text/directions.py).

The expected sentences are written by hand from tests/halls/main.toml: windows 1-2 are the
construction zone's registration desk on the ground floor, window 11 the social zone upstairs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from components.announce import announcement
from queues.answers import TicketView
from queues.hall import config as hall_config
from queues.text.directions import directions, floor_words, to_window, window_ranges
from queues.text.i18n import MESSAGES, t
from tests.support import MAIN_HALL

CFG = hall_config.load(MAIN_HALL)


def test_window_runs_take_an_en_dash_and_each_languages_comma() -> None:
    assert window_ranges([31, 23, 24, 25, 26, 32], "zh") == "23–26、31–32"
    assert window_ranges([31, 23, 24, 25, 26, 32], "en") == "23–26, 31–32"
    assert window_ranges([5]) == "5"
    assert window_ranges([5, 7]) == "5、7"  # two apart: not a run


def test_floors_are_written_one_way_in_each_language() -> None:
    assert [floor_words(n, "zh") for n in (1, 2, 10, 11, 20, 23)] == [
        "一楼", "二楼", "十楼", "十一楼", "二十楼", "二十三楼",
    ]  # fmt: skip
    assert [floor_words(n, "en") for n in (1, 2, 3, 11, 22)] == [
        "1st floor", "2nd floor", "3rd floor", "11th floor", "22nd floor",
    ]  # fmt: skip
    assert floor_words(-1, "zh") == "地下一层"
    assert floor_words(-2, "en") == "basement 2"


def test_a_call_says_floor_zone_and_window() -> None:
    upstairs = to_window(CFG, 11)
    assert upstairs.text("zh") == "请到二楼社会事务区 11 号窗口"
    assert upstairs.text("en") == "Please go to window 11, Social Affairs Zone, 2nd floor"
    assert upstairs.place("zh") == "二楼社会事务区"


def test_a_queue_names_its_windows_as_runs() -> None:
    desk = directions(CFG, "project-registration")
    assert desk.text("zh") == "请到一楼工程项目联审联批区 1–2 号窗口"
    assert desk.text("en") == (
        "Please go to windows 1–2, Construction Project Joint Review Zone, 1st floor"
    )
    assert directions(CFG, "tax", target_window=11).text("zh") == "请到二楼社会事务区 11 号窗口"


def test_the_spoken_call_says_the_floor_and_zone_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("components.announce._url", lambda clip: clip)  # no Dash app here
    said = announcement("M012", 11, "k", where=to_window(CFG, 11))
    assert said.zh == "请 M 0 1 2 号到二楼社会事务区 11 号窗口办理"
    assert said.en == "Number M 0 1 2, please go to window 11, Social Affairs Zone, 2nd floor."


def _done(outcome: str, promised: date | None = None) -> TicketView:
    return TicketView(
        id="x",
        number="T001",
        service="tax",
        zone="general",
        priority="normal",
        status="done",
        issued_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        requested_service="tax",
        outcome=outcome,
        promised_date=promised,
    )


@pytest.mark.parametrize(
    ("outcome", "promised", "zh", "en"),
    [
        ("done", None, "已办结，感谢您的耐心等候", "Done. Thank you for your patience"),
        (
            "promised",
            date(2026, 12, 15),
            "已受理，承诺于 12 月 15 日前办结",
            "Accepted: it will be completed by 15 December 2026",
        ),
        (
            "incomplete",
            None,
            "材料不全，请按一次性告知单补齐后再来",
            "Materials incomplete: please bring what the one-time notice lists and come back",
        ),
        ("consult", None, "咨询已完成，感谢您的耐心等候", "Consultation given. Thank you"),
    ],
)
def test_the_phone_says_done_only_for_work_that_is_done(
    outcome: str, promised: date | None, zh: str, en: str
) -> None:
    from pages.ticket_status import done_words

    assert done_words(_done(outcome, promised), "zh") == zh
    assert done_words(_done(outcome, promised), "en") == en


def test_no_outcome_word_calls_unfinished_work_finished() -> None:
    assert t("outcome.done", "zh") == "即办件"
    unfinished = [
        key
        for key in MESSAGES
        if key.startswith(("outcome.", "phone.outcome.")) and "promised" not in key
    ]
    assert "phone.outcome.incomplete" in unfinished
    for key in unfinished:
        assert "办结" not in t(key, "zh"), key
