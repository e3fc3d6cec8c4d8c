"""Wait prediction from the tickets ahead, the open windows and the service times."""

from __future__ import annotations

from datetime import timedelta

from queues.rules.eta import Busy, OpenWindow, Snapshot, blend, predict, predict_new
from queues.rules.policy import Candidate

from tests.support import TUESDAY_10

NOW = TUESDAY_10


def waiting(
    step_id: int,
    minutes: float,
    service: str = "tax",
    priority: str = "normal",
    window: int | None = None,
) -> Candidate:
    return Candidate(step_id, service, priority, NOW - timedelta(minutes=minutes), 20, window)


def snap(waiting_list: list[Candidate], windows: list[OpenWindow], **minutes: float) -> Snapshot:
    return Snapshot(
        now=NOW, waiting=waiting_list, windows=windows, minutes={"tax": 10, "fund": 6, **minutes}
    )


def test_no_open_window_means_no_prediction() -> None:
    s = snap([waiting(1, 5), waiting(2, 3)], [])
    p = predict(s, s.waiting[1])
    assert p.ahead == 1 and p.eta_minutes is None


def test_tickets_ahead_shared_among_open_windows() -> None:
    queue = [waiting(i, 10 - i) for i in range(1, 6)]  # five tax tickets
    one = snap(queue, [OpenWindow(20, frozenset({"tax"}))])
    two = snap(queue, [OpenWindow(20, frozenset({"tax"})), OpenWindow(21, frozenset({"tax"}))])
    last = queue[-1]
    assert predict(one, last).ahead == 4
    assert predict(one, last).eta_minutes == 40
    assert predict(two, last).eta_minutes == 20


def test_service_in_progress_counts_what_is_left() -> None:
    busy = OpenWindow(20, frozenset({"tax"}), Busy("tax", NOW - timedelta(minutes=4)))
    s = snap([waiting(1, 2)], [busy])
    assert predict(s, s.waiting[0]).eta_minutes == 6


def test_priority_ticket_waits_only_for_priority_ahead() -> None:
    queue = [waiting(1, 9), waiting(2, 8), waiting(3, 1, priority="priority")]
    s = snap(queue, [OpenWindow(20, frozenset({"tax"}))])
    assert predict(s, queue[2]).eta_minutes == 0
    assert predict_new(s, "tax").eta_minutes == 30


def test_other_services_at_shared_windows_take_their_share() -> None:
    # window 20 serves tax and fund; window 21 serves fund only.
    windows = [OpenWindow(20, frozenset({"tax", "fund"})), OpenWindow(21, frozenset({"fund"}))]
    queue = [waiting(1, 9, "fund"), waiting(2, 8, "fund"), waiting(3, 1, "tax")]
    s = snap(queue, windows)
    # two fund tickets of 6 minutes, half of them at window 20: 6 minutes of work for the tax one
    assert predict(s, queue[2]).eta_minutes == 6


def test_ticket_sent_to_one_window_waits_for_that_window_only() -> None:
    windows = [OpenWindow(24, frozenset({"tax"})), OpenWindow(25, frozenset({"tax"}))]
    queue = [waiting(1, 9, window=25), waiting(2, 8, window=25), waiting(3, 1, window=25)]
    s = snap(queue, windows)
    assert predict(s, queue[2]).eta_minutes == 20


def test_blend_moves_from_configuration_to_measurement() -> None:
    assert blend(10, None, 0) == 10
    assert blend(10, 4, 5) == 7
    assert abs(blend(10, 4, 995) - 4.03) < 0.01
