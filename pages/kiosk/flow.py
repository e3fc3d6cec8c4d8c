"""The kiosk's flow as a pure state machine: ``next_state(menu, state, tap)``.

No Dash, no database, no clock: the page's callback hands every tap here, carries out what the
answer asks for (``pending``: issue a ticket, call staff) and hands the outcome back as one more
tap (``issued``, ``refused``, ``helped``). The unit tests drive it without a browser.

The screens, and the taps that lead between them::

    home ──zone──▶ zone (its matters, a page at a time; page:N turns) ──service──▶ how
    how ──normal / priority──▶ (issue) ──▶ ticket          how ──green──▶ code (keypad)
    code ──ok──▶ (issue, green) ──▶ ticket  (the keys type into ``code`` in the browser:
                                             assets/kiosk.js, so no key waits for the server)
    any ──help──▶ (call staff) ──▶ help   any ──back──▶ one screen up   any ──home──▶ home
    home ──booking (我有预约)──▶ booking (a keypad of the code's characters) ──ok──▶
        (check in) ──▶ ticket (a booked ticket: its slot, or when its turn starts)
    any ──scan:<key>──▶ (check in): the ID-card reader or the QR scanner typed a code or an ID
        number and Enter (assets/kiosk.js collects the fast keys), on whatever screen

A hall of one zone (a town's centre, a village point) starts on that zone's matters: the zones'
screen would offer one tile to tap. Every matter is on its zone's screen, so it is tapped within
three taps of the start: its zone, its page's tab if it has more than one (a zone's matters are
split into pages of at most ``PER_PAGE``, each page one tap away), the matter. The green
channel is offered only for the matters the hall file marks ``green_channel``; a forged green
tap on another matter moves nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from queues.hall.config import HallConfig
from queues.inputs import Code, Lang, PublicId

PER_PAGE = 12
"""Matters on one screen at most: 2 columns of 6 standing, 4 columns of 3 lying, no scrolling."""
PAGES_AT_MOST = 10
"""Pages a zone may have: each has a tab of its own on the zone's screen, one tap away."""
KEYS = (*"123456789", "-", "0", "del")
"""The keypad's keys, in their order on the screen (``del``: 删除, the last character)."""
CODE_LENGTH = 32
BOOKING_KEYS = (*"ACDEFHJKMNPRTUVWXY", *"34679", "del")
"""The check-in keypad: the booking code's characters (:data:`queues.rules.booking.ALPHABET`,
letters then digits) and 删除."""
KEY_LENGTH = 24
"""The longest check-in key kept: an ID number is 18 characters, a code 8."""
TIMINGS = ("early", "on_time", "grace", "late")

Screen = Literal["home", "zone", "how", "code", "ticket", "help", "booking"]
Pending = Literal["normal", "priority", "green", "help", "check_in"]
Error = Literal[
    "kiosk.code.invalid",
    "kiosk.code.empty",
    "kiosk.busy",
    "kiosk.too_many",
    "kiosk.help.again",
    "kiosk.help.sent",
    "kiosk.reason.hall_closed",
    "kiosk.reason.service_not_offered",
    "kiosk.reason.no_window_for_service",
    "kiosk.reason.wait_past_closing",
    "checkin.empty",
]
RequestId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
KeypadCode = Annotated[str, StringConstraints(pattern=r"^[0-9-]{0,32}$")]
CheckInKey = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{0,24}$")]
"""What the check-in field holds: the keypad's characters, or what a reader typed (upper case)."""
SlotTime = Annotated[str, StringConstraints(pattern=r"^[0-2][0-9]:[0-5][0-9]$")]
Said = Annotated[str, StringConstraints(max_length=200)]


class State(BaseModel):
    """Where the kiosk is (kept in the page as JSON; the server checks it at every tap)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    screen: Screen = "home"
    lang: Lang = "zh"
    zone: Code | None = None
    page: Annotated[int, Field(ge=0, lt=PAGES_AT_MOST)] = 0
    service: Code | None = None
    request: RequestId | None = None
    """Drawn at the tap that chooses the matter: asking twice with it answers one ticket."""
    code: KeypadCode = ""
    ticket: PublicId | None = None
    error: Error | None = None
    pending: Pending | None = None
    """What the callback must do now (never kept: the next tap clears it)."""
    key: CheckInKey = ""
    """The check-in field: a booking code or an ID number."""
    timing: Literal["early", "on_time", "grace", "late"] | None = None
    """The ticket on screen is a booking's, checked in so (:func:`queues.rules.policy.
    booked_place`)."""
    slot: SlotTime | None = None
    """The booked slot's start, the hall's time."""
    said: Said | None = None
    """A check-in's refusal in the visitor's words (it names times and numbers: not a key)."""


def start(lang: str = "zh") -> State:
    """The zones' screen, in ``lang``."""
    return State(lang="en" if lang == "en" else "zh")


def home(m: Menu, lang: str = "zh") -> State:
    """Where the kiosk starts and comes back to: the zones, or the only zone's matters."""
    first = start(lang)
    if m.only_zone is None:
        return first
    return first.model_copy(update={"screen": "zone", "zone": m.only_zone})


@dataclass(frozen=True)
class Menu:
    """What the kiosk offers: the zones (this kiosk's own first) with their matters, and the
    matters that take key-project codes."""

    zones: tuple[tuple[str, tuple[str, ...]], ...]
    green: frozenset[str] = frozenset()

    @property
    def only_zone(self) -> str | None:
        """The zone, when the kiosk offers matters of one zone only."""
        return self.zones[0][0] if len(self.zones) == 1 else None

    def matters(self, zone: str | None) -> tuple[str, ...]:
        return next((m for z, m in self.zones if z == zone), ())

    def zone_of(self, service: str) -> str | None:
        return next((z for z, m in self.zones if service in m), None)

    def pages(self, zone: str | None) -> list[tuple[str, ...]]:
        """The zone's matters in pages of at most ``PER_PAGE``, as even as they come."""
        matters = self.matters(zone)
        if not matters:
            return []
        count = math.ceil(len(matters) / PER_PAGE)
        size = math.ceil(len(matters) / count)
        return [matters[i : i + size] for i in range(0, len(matters), size)]


def menu(cfg: HallConfig, kiosk_zone: str | None = None) -> Menu:
    """The hall file's kiosk matters by zone, the zone of the kiosk (where it stands) first."""
    zones = []
    for zone in cfg.zones:
        offered = tuple(s.code for s in cfg.services if s.zone == zone.code and s.kiosk)
        if offered:
            zones.append((zone.code, offered))
    zones.sort(key=lambda z: z[0] != kiosk_zone)  # stable: the file's order otherwise
    green = frozenset(s.code for s in cfg.services if s.kiosk and s.green_channel)
    return Menu(tuple(zones), green)


Tap = tuple[str, ...]
"""``("zone", code)``, ``("page", "1")``, ``("service", code, request_id)``, ``("normal",)``,
``("priority",)``, ``("green",)``, ``("ok",)``, ``("back",)``, ``("home",)``,
``("lang",)``, ``("help",)``, ``("booking",)``, ``("scan", key)``; the outcomes: ``("issued",
ticket_id)``, ``("refused", error)``, ``("helped",)``, ``("checked_in", ticket_id, timing,
slot)``, ``("not_checked_in", words)``."""


def next_state(m: Menu, state: State, tap: Tap) -> State:
    """The state after ``tap`` (the same state when the tap means nothing here)."""
    s = state.model_copy(update={"pending": None}) if state.pending else state
    kind, args = (tap[0], tap[1:]) if tap else ("", ())
    if kind == "lang":
        return s.model_copy(update={"lang": "en" if s.lang == "zh" else "zh"})
    if kind == "home":
        return home(m, s.lang)
    if kind == "help":
        return s.model_copy(update={"pending": "help", "error": None})
    if kind == "helped":
        if s.screen == "ticket":  # the number stays on screen; the call is said under it
            return s.model_copy(update={"error": "kiosk.help.sent"})
        return start(s.lang).model_copy(update={"screen": "help"})
    if kind == "back":
        return _back(m, s)
    if kind == "zone" and args and s.screen == "home" and m.matters(args[0]):
        return start(s.lang).model_copy(update={"screen": "zone", "zone": args[0]})
    if kind == "page" and args and s.screen == "zone" and args[0].isdigit():
        page = int(args[0])
        if page < min(len(m.pages(s.zone)), PAGES_AT_MOST):
            return s.model_copy(update={"page": page, "error": None})
        return s
    if kind == "service" and len(args) == 2 and s.screen == "zone":
        pages = m.pages(s.zone)
        if s.page >= len(pages) or args[0] not in pages[s.page]:
            return s  # only a matter on the screen
        return s.model_copy(
            update={"screen": "how", "service": args[0], "request": args[1], "code": ""}
        )
    if kind in ("normal", "priority") and s.screen == "how" and s.service and s.request:
        return s.model_copy(update={"pending": kind, "error": None})
    if kind == "green" and s.screen == "how" and s.service in m.green:
        return s.model_copy(update={"screen": "code", "code": "", "error": None})
    if kind == "ok" and s.screen == "code":
        if not s.code:
            return s.model_copy(update={"error": "kiosk.code.empty"})
        return s.model_copy(update={"pending": "green", "error": None})
    if kind == "issued" and args:
        return start(s.lang).model_copy(update={"screen": "ticket", "ticket": args[0]})
    if kind == "booking" and s.screen != "booking":
        return start(s.lang).model_copy(update={"screen": "booking"})
    if kind == "ok" and s.screen == "booking":
        if not s.key:
            return s.model_copy(update={"error": "checkin.empty", "said": None})
        return s.model_copy(update={"pending": "check_in", "error": None, "said": None})
    if kind == "scan" and args:
        key = "".join(args[0].split()).upper()[:KEY_LENGTH]
        if not key.isalnum() or not key.isascii():
            return s  # not what a reader types
        typed = start(s.lang).model_copy(update={"screen": "booking", "key": key})
        return typed.model_copy(update={"pending": "check_in"})
    if kind == "checked_in" and len(args) == 3 and args[1] in TIMINGS:
        return start(s.lang).model_copy(
            update={"screen": "ticket", "ticket": args[0], "timing": args[1], "slot": args[2]}
        )
    if kind == "not_checked_in" and args and state.pending == "check_in":
        return s.model_copy(update={"screen": "booking", "said": args[0][:200], "error": None})
    if kind == "refused" and args:
        return _refused(s, state.pending, args[0])
    return s


def _back(m: Menu, s: State) -> State:
    if s.screen == "booking":
        return home(m, s.lang)
    if s.screen == "code":
        return s.model_copy(update={"screen": "how", "code": "", "error": None})
    if s.screen == "how":
        zone = s.zone or m.zone_of(s.service or "")
        return s.model_copy(
            update={"screen": "zone", "zone": zone, "service": None, "request": None, "error": None}
        )
    return home(m, s.lang)


def _refused(s: State, pending: str | None, error: str) -> State:
    if error not in Error.__args__:  # type: ignore[attr-defined]
        error = "kiosk.busy"
    if pending == "help":
        if s.screen == "ticket":
            return s.model_copy(update={"error": error})
        return start(s.lang).model_copy(update={"screen": "help", "error": error})
    if pending == "green" and error == "kiosk.code.invalid":
        return s.model_copy(update={"screen": "code", "error": error})
    return s.model_copy(update={"screen": "how", "error": error})
