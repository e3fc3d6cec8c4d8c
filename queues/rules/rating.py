"""The visitor's judgement (好差评, the State Council's 2019 rules): five levels, once per visit;
the two lowest are bad ratings, verified and followed up until resolved."""

from __future__ import annotations

from enum import StrEnum

SCORES = (1, 2, 3, 4, 5)
"""1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意."""

BAD_SCORES = (1, 2)
"""非常不满意 and 不满意: a bad rating, followed up."""


class FollowUp(StrEnum):
    """Where a bad rating's follow-up stands."""

    OPEN = "open"
    """Not yet handled."""
    CONTACTED = "contacted"
    """The visitor was called back."""
    RESOLVED = "resolved"
    """The matter was put right."""


def is_bad(score: int) -> bool:
    return score in BAD_SCORES
