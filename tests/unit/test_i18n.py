"""Words people read that the code puts together: a window's state with the reason of a pause."""

from __future__ import annotations

from queues.text.i18n import PAUSE_REASONS, t, window_state


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
