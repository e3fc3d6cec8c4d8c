"""What a value from outside may be: the one set of input types every entry point uses.

An API body (``api/schemas.py``), a Dash callback's inputs (``web/boundary.py``) and the
command line take their values through these types, so the same action has the same limits
whichever way it arrives: a kiosk id is a code of the hall file's shape, a window id a small whole
number, a comment at most 500 characters, and no text carries control characters or halves of a
surrogate pair (they break printers, PostgreSQL's text type and the pages).

Whether an id also *exists* (a service of the hall file, a window) is the use case's to say: it
raises the domain's ``Unknown…`` error, which every entry point shows in the same words.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, Strict, StringConstraints

MAX_DEPTH = 32
"""Nesting a JSON body may have: the deepest body hallq reads is four levels deep."""
MAX_BODY_BYTES = 1_000_000
"""The largest request body any entry point reads (a Dash callback of the reports page with
every bad rating's note is the largest, well under this)."""


def _no_control(value: str, *, lines: bool = False) -> str:
    """Refuse control characters (``lines``: all but line breaks and tabs) and lone surrogates."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("must not contain lone surrogates")
        if unicodedata.category(ch) == "Cc" and not (lines and ch in "\n\r\t"):
            raise ValueError("must not contain control characters")
    return value


def _one_line(value: str) -> str:
    return _no_control(value)


def _lines(value: str) -> str:
    return _no_control(value, lines=True)


def _printable_line(max_length: int, min_length: int = 0) -> Any:
    return Annotated[
        str,
        Strict(),
        StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=True),
        AfterValidator(_one_line),
    ]


Code = Annotated[str, Strict(), StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
"""A code of the hall file: a service, a zone, a kiosk (``tax``, ``social-affairs``, ``k2``)."""
WindowId = Annotated[int, Strict(), Field(ge=1, le=9999)]
"""A window's number."""
Ident = Annotated[
    str, Strict(), StringConstraints(min_length=1, max_length=64), AfterValidator(_one_line)
]
"""A key a client chose (a request id, a key-project code): 1-64 printable characters."""
PublicId = Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""A ticket's public id (what the QR code holds)."""
TicketNumber = _printable_line(16, 1)
"""A ticket's number as a clerk types it (``T012``, ``t12``); whether it has a number's shape is
the use case's to say (:func:`queues.store.numbering.parse_number`), in words on every screen."""
Typed = _printable_line(32)
"""A short field a clerk types in (a promised date as the date field sends it, a number to call):
bounded here, and read by the page or the use case, which says in words what is wrong with it
(``61215-02-02``, ``T-12``): a value the gate refused would be lost without a word."""
Text = _printable_line(200)
"""One line a person typed: a pause reason, an agent's error, a display name."""
Name = _printable_line(100)
"""A person's or a company's name as a clerk types it."""
Company = _printable_line(200)
Phone = _printable_line(40)
"""A phone number as a clerk types it; whether it is one (:data:`PHONE`) is the use case's to
say, in words on the console, rather than the gate's, whose refusal the clerk cannot read."""
PHONE = re.compile(r"[0-9+\-() ]*")
PersonName = _printable_line(50, 1)
"""A booked person's name: 1-50 printable characters (the booking's own limit)."""
IdNumberText = _printable_line(32)
"""An ID number as typed or read by a card reader; whether it is one is the use case's to say."""
BookingCode = _printable_line(16)
"""A booking code as typed (case, spaces and hyphens do not matter to the look-up)."""
MobileText = _printable_line(20, 1)
"""A mobile number as a visitor types it for text messages; whether it is one (11 digits,
1[3-9]…) is the use case's to say (:func:`queues.notices.mobile`), in words on the phone page
and in the API's answer alike."""
"""What a phone number may hold: digits, +, -, brackets and spaces."""
Comment = Annotated[
    str,
    Strict(),
    StringConstraints(max_length=500, strip_whitespace=True),
    AfterValidator(_lines),
]
"""A visitor's comment with a rating."""
Note = Annotated[
    str,
    Strict(),
    StringConstraints(max_length=2000, strip_whitespace=True),
    AfterValidator(_lines),
]
"""What a manager writes down: the follow-up of a bad rating."""
UserName = _printable_line(64)
Password = Annotated[str, Strict(), StringConstraints(max_length=200)]
"""A password as typed: long enough for a passphrase; never stored."""
Lang = Literal["zh", "en"]
Clicks = Annotated[int, Strict(), Field(ge=0, le=2**31)] | None
"""A button's click count, an interval's ticks (None before the first)."""
Limit = Annotated[int, Strict(), Field(ge=1, le=50)]
Score = Annotated[int, Strict(), Field(ge=1, le=5)]
Flag = Annotated[bool, Strict()]
DateText = Annotated[str, Strict(), StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
"""A date as a date picker gives it, ``2026-12-01``; whether it is a real day is checked where
it is read (:func:`day_of`)."""
DateInput = DateText | Literal[""] | None
"""A date field, which a browser sends empty or absent when nothing is picked."""
Version = Annotated[int, Strict(), Field(ge=0, le=2**62)] | None
"""A board version a screen last saw (None before its first poll)."""

# --- checkin: a booking's check-in (queues.checkin) ---------------------------------------------
IdNumber = Annotated[str, Strict(), StringConstraints(pattern=r"^[0-9]{17}[0-9Xx]$")]
"""A resident ID number as a kiosk's card reader gives it: 17 digits and a digit or X."""
CheckInKey = _printable_line(24)
"""What the kiosk's check-in field holds (the keypad, a reader or scanner typing): bounded here;
whether it is a code or an ID number is :func:`queues.checkin.kind_of`'s to say, in words."""


def day_of(text: str | None) -> dt.date | None:
    """The date ``text`` names, or None for no date or no such day (``2026-02-30``)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class BodyError(ValueError):
    """A request body that is not JSON hallq reads: malformed, too deep, or too large."""


def parse_json(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``raw`` parsed as JSON, or :class:`BodyError`.

    Python's parser recurses once per level: a body nested a hundred thousand deep would exhaust
    the stack, so the depth is measured first, in one pass that skips strings.
    """
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    depth = _depth(text)
    if depth > max_depth:
        raise BodyError(f"the body is nested {depth} deep; at most {max_depth}")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BodyError(str(exc)) from None


_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text``, strings skipped (by the regex engine,
    not a Python loop per character)."""
    deepest = depth = 0
    for match in _STRUCTURE.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


# --- webhooks (issue 13) ------------------------------------------------------------------
WEBHOOK_URL_MAX = 500
WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX = 16, 200
WebhookUrl = Annotated[
    str,
    Strict(),
    StringConstraints(
        min_length=8, max_length=WEBHOOK_URL_MAX, strip_whitespace=True, pattern=r"^https?://\S+$"
    ),
    AfterValidator(_one_line),
]
"""An endpoint's address: ``http://`` or ``https://``, at most 500 characters; whether its
host may be reached is the use case's to say (:func:`queues.webhooks.check_url`)."""
WebhookSecret = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=WEBHOOK_SECRET_MIN, max_length=WEBHOOK_SECRET_MAX),
    AfterValidator(_one_line),
]
"""A signing secret a manager chose: 16-200 printable characters (none: one is made)."""
WebhookType = Literal[
    "issued",
    "called",
    "recalled",
    "transferred",
    "finished",
    "no_show",
    "rated",
    "booked",
    "checked_in",
]
"""An event type on the wire (:data:`queues.rules.webhook.TYPES`)."""
RowId = Annotated[int, Strict(), Field(ge=1, le=2**62)]
"""A row's id in a path or a callback (an endpoint's, a delivery's)."""
