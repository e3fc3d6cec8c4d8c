"""Words people read that the code puts together: a window's state with the reason of a pause,
a list of days, a floor."""

from __future__ import annotations

from queues.text.directions import floor_words
from queues.text.i18n import PAUSE_REASONS, listing, t, weekdays, window_state


def test_a_pause_picked_on_the_console_reads_in_each_language() -> None:
    stored = t("counter.reason.break", "zh")  # what the console stores: 休息
    assert window_state("paused", stored, "zh") == "暂停服务（休息）"
    assert window_state("paused", stored, "en") == "paused (Break)"


def test_every_console_reason_has_its_english_words() -> None:
    assert PAUSE_REASONS == ("break", "meeting", "training", "fetching", "other")
    stored = [t(f"counter.reason.{key}", "zh") for key in PAUSE_REASONS]
    assert stored == ["休息", "会议", "培训", "调取材料", "其他"]
    assert [window_state("paused", words, "en") for words in stored] == [
        "paused (Break)",
        "paused (Meeting)",
        "paused (Training)",
        "paused (Fetching files)",
        "paused (Other)",
    ]


def test_a_reason_typed_through_the_api_is_shown_as_written() -> None:
    assert window_state("paused", "系统升级", "en") == "paused (系统升级)"
    assert window_state("open", None, "zh") == t("window.open", "zh")


def test_lists_take_each_languages_separator() -> None:
    assert listing(["税务", "公证"], "zh") == "税务、公证"
    assert listing(["Tax", "Notary"], "en") == "Tax, Notary"
    assert listing(["Tax"], "en") == "Tax" and listing([], "zh") == ""


def test_days_are_listed_with_each_languages_separator() -> None:
    assert weekdays(["tue", "thu"], "zh") == "周二、周四"
    assert weekdays(["tue", "thu"], "en") == "Tue, Thu"
    assert weekdays(["mon", "tue", "wed", "thu", "fri"], "zh") == "周一至周五"
    assert weekdays(["mon", "tue", "wed", "thu", "fri"], "en") == "Mon–Fri"


def test_floors_one_to_ten_are_said_in_words_in_chinese() -> None:
    zh = ["一楼", "二楼", "三楼", "四楼", "五楼", "六楼", "七楼", "八楼", "九楼", "十楼"]
    assert [floor_words(n, "zh") for n in range(1, 13)] == [*zh, "十一楼", "十二楼"]
    assert [floor_words(n, "en") for n in (1, 2, 3, 4, 11, 12, 21)] == [
        "1st floor", "2nd floor", "3rd floor", "4th floor", "11th floor", "12th floor",
        "21st floor",
    ]  # fmt: skip
