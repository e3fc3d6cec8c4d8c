"""What a mobile number is (a booking's, a ticket's text messages') and what may be shown of it.

A mainland China mobile number is 11 digits, ``1[3-9]`` then nine more; a visitor may type it
with spaces, hyphens or brackets and a leading ``+86`` (or ``86``). It is stored as the 11
digits and shown, anywhere but a staff screen, masked: ``138****1234``. Pure.
"""

from __future__ import annotations

import re

MOBILE = re.compile(r"1[3-9][0-9]{9}")
"""A mainland China mobile number, as stored: 11 digits."""


def parse(raw: str | None) -> str | None:
    """``raw`` as the 11 stored digits, or None when it is no mainland mobile number."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else None


def mask(phone: str) -> str:
    """What a public page or answer may show of a number: ``138****1234``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
