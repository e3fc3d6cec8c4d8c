"""The call policy: who a window calls next, and that nobody waits forever."""

from __future__ import annotations

from datetime import timedelta

from queues.rules.policy import Candidate, choose, order
from tests.support import TUESDAY_10

NOW = TUESDAY_10


def ticket(
    step_id: int,
    minutes_waited: float,
    priority: str = "normal",
    service: str = "tax",
    target: int = 20,
    window: int | None = None,
) -> Candidate:
    return Candidate(
        step_id=step_id,
        service=service,
        priority=priority,
        queued_at=NOW - timedelta(minutes=minutes_waited),
        target_minutes=target,
        target_window=window,
    )


def test_green_before_priority_before_normal() -> None:
    cands = [ticket(1, 15), ticket(2, 2, "priority"), ticket(3, 1, "green")]
    assert [c.step_id for c in order(cands, NOW, 20, {"tax": 1})] == [3, 2, 1]


def test_longest_wait_first_within_a_class() -> None:
    cands = [ticket(1, 3), ticket(2, 9), ticket(3, 5)]
    assert [c.step_id for c in order(cands, NOW, 20, {"tax": 1})] == [2, 3, 1]


def test_weights_multiply_the_wait() -> None:
    cands = [ticket(1, 8, service="social-insurance"), ticket(2, 6, service="employment")]
    weights = {"social-insurance": 1, "employment": 1.5}  # 8 against 9
    assert choose(cands, NOW, 8, weights).step_id == 2
    assert choose(cands, NOW, 8, {"social-insurance": 1, "employment": 1}).step_id == 1


def test_overdue_normal_ticket_is_not_starved_by_priority_stream() -> None:
    late = ticket(1, 21, target=20)  # past its 20-minute target
    fresh_priority = [ticket(10 + i, i, "priority") for i in range(5)]
    assert choose([late, *fresh_priority], NOW, 20, {"tax": 1}).step_id == 1


def test_normal_ticket_within_target_yields_to_priority() -> None:
    on_time = ticket(1, 19, target=20)
    assert choose([on_time, ticket(2, 1, "priority")], NOW, 20, {"tax": 1}).step_id == 2


def test_older_priority_ticket_still_beats_a_newly_overdue_one() -> None:
    late = ticket(1, 21, target=20)
    old_priority = ticket(2, 25, "priority")
    assert choose([late, old_priority], NOW, 20, {"tax": 1}).step_id == 2


def test_green_channel_goes_before_overdue_tickets() -> None:
    assert choose([ticket(1, 60), ticket(2, 0.5, "green")], NOW, 20, {"tax": 1}).step_id == 2


def test_window_ignores_services_outside_its_profile() -> None:
    assert choose([ticket(1, 30, service="housing-fund")], NOW, 20, {"tax": 1}) is None


def test_ticket_sent_to_a_window_is_called_only_there() -> None:
    sent = ticket(1, 2, service="social-insurance", window=25)
    assert choose([sent], NOW, 24, {"social-insurance": 1}) is None
    assert choose([sent], NOW, 25, {"social-insurance": 1}).step_id == 1
    # a window whose profile lacks the service still calls a ticket sent to it by name
    assert choose([sent], NOW, 25, {}).step_id == 1


def test_ties_go_to_the_earlier_step() -> None:
    assert [c.step_id for c in order([ticket(7, 5), ticket(3, 5)], NOW, 20, {"tax": 1})] == [3, 7]
