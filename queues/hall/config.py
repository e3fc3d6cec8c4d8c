"""The hall file (``config/hall.toml``): zones, services, work profiles, windows, hours.

Parsed with :mod:`tomllib` and validated with pydantic. A bad file raises :class:`ConfigError`
whose message names the file, the line, the key and what is wrong, ready to show a person.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]
DEFAULT_TARGET_MINUTES = 20
"""A service's wait target when the hall file gives none (and for a service no longer in it)."""


class Targets(dict[str, int]):
    """Wait targets by service code, the default target for any other code."""

    def __missing__(self, code: str) -> int:
        return DEFAULT_TARGET_MINUTES


class ConfigError(Exception):
    """The hall file cannot be used; ``str(error)`` says where and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Model):
    zh: Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class HallInfo(_Model):
    code: Code = "hall"
    name: Name
    timezone: str = "Asia/Shanghai"
    public_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")] | None = None
    """Where visitors' phones reach this hall (the QR codes on tickets): for a hall of a network
    other than its default, the hall's own address, ``https://…/h/<code>``; default: the server's
    own as the kiosk or print worker reached it, under the hall's prefix."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"
            ) from None
        return value


class Hours(_Model):
    """When the hall opens, and when its kiosks give out tickets."""

    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    open: time = time(9, 0)
    close: time = time(17, 0)
    issue_from: time | None = None
    """First ticket of the day; default: the opening time."""
    issue_until: time | None = None
    """Last ticket of the day; default: the closing time."""
    holidays: list[date] = []
    """Dates the hall is shut although they fall on an opening weekday."""
    workdays: list[date] = []
    """Dates the hall opens although they fall on a closed weekday (make-up working days)."""

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.close <= self.open:
            raise ValueError("close must be later than open")
        if self.first_ticket >= self.last_ticket:
            raise ValueError("issue_from must be earlier than issue_until")
        return self

    @property
    def first_ticket(self) -> time:
        return self.issue_from or self.open

    @property
    def last_ticket(self) -> time:
        return self.issue_until or self.close

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return WEEKDAYS[day.weekday()] in self.days

    def issuing(self, local: datetime) -> bool:
        """Whether a kiosk gives out tickets at this local time."""
        return (
            self.is_working_day(local.date())
            and self.first_ticket <= local.time().replace(tzinfo=None) < self.last_ticket
        )


class Zone(_Model):
    code: Code
    name: Name
    floor: int = Field(1, ge=-5, le=100)


class Service(_Model):
    code: Code
    zone: Code
    prefix: Prefix
    name: Name
    target_minutes: int = Field(DEFAULT_TARGET_MINUTES, ge=1, le=480)
    """The wait the hall promises: a visitor should be called within this many minutes."""
    service_minutes: float = Field(8.0, gt=0, le=480)
    """Expected time at the window, used for wait prediction until real times are known."""
    first_step: Code | None = None
    """The desk a visitor goes to first (the unified registration desk), if any."""
    days: list[Weekday] = []
    """Weekdays the service is offered; empty: every day the hall opens."""
    kiosk: bool = True
    """Offered on the kiosk; false for services reached only by transfer."""
    green_channel: StrictBool = False
    """The matter takes key-project codes: the kiosk offers 重点项目绿色通道 for it (and for no
    other matter)."""
    bookable: StrictBool = True
    """Offered for appointments (预约) when the hall's ``[booking]`` is enabled and a window
    serves it."""

    @model_validator(mode="after")
    def _green_on_kiosk(self) -> Service:
        if self.green_channel and not self.kiosk:
            raise ValueError(
                "green_channel needs kiosk = true (the kiosk offers the green channel)"
            )
        return self


class Profile(_Model):
    code: Code
    name: Name | None = None
    services: dict[str, float]
    """Service code → weight; weight 2 counts a ticket's wait twice when choosing whom to call."""

    @field_validator("services")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("a profile must list at least one service")
        for code, weight in value.items():
            if not 0 < weight <= 100:
                raise ValueError(f"weight of {code!r} must be above 0 and at most 100")
        return value


class Window(_Model):
    id: int = Field(ge=1, le=9999)
    zone: Code
    department: Name
    profile: Code
    print_at: Code | None = None
    """The kiosk whose printer prints the tickets this window's clerk issues from the console
    (none: no slip; the number is on the console and the visitor's phone)."""


PRINTER_URI = (
    r"^(tcp://[^\s/:]+(:\d+)?/?|usb://[0-9a-fA-F]{4}:[0-9a-fA-F]{4}|serial://\S+|file:\S+|dummy:)$"
)

NOTIFY_URI = r"^(https?://[^\s]+|file:\S+|dummy:)$"
"""A text-message channel: an SMS gateway over HTTP(S), a folder (``file:``), or nowhere."""


class Kiosk(_Model):
    """A ticket kiosk and its thermal printer."""

    id: Code
    zone: Code | None = None
    """The zone whose services the kiosk lists first (where it stands)."""
    printer: Annotated[str, StringConstraints(pattern=PRINTER_URI)] | None = None
    """``tcp://host:9100``, ``usb://VID:PID``, ``serial:///dev/ttyUSB0?baudrate=9600``,
    ``file:DIR`` or ``dummy:``; none: ``HALLQ_PRINTER``."""
    paper: Literal[58, 80] = 80
    """Paper width in millimetres."""
    mode: Literal["text", "raster"] = "text"
    """``text``: Chinese in the printer's GB18030 mode; ``raster``: drawn with ``printing.font``."""
    cutter: bool = True
    """False for a printer without an automatic cutter: the ticket is fed out to tear off."""
    agent: bool = False
    """True when ``hallq print-agent`` on the kiosk PC prints its tickets, not the server."""
    status_check: bool = True
    """Ask the printer its paper before each ticket and have it confirm the ticket after; false
    only for a printer that never answers status questions (its tickets then count as printed
    once sent)."""


class Printing(_Model):
    font: str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    """A CJK font for raster printing and ticket previews."""
    footer: Name | None = None
    """A last line on every ticket (a hotline, a slogan)."""


class Display(_Model):
    notice: Name | None = None
    """The line that scrolls along the bottom of the wallboards."""
    english: bool = True
    """Speak each call in English after Mandarin."""
    flash_seconds: int = Field(6, ge=0, le=60)
    """How long a new call flashes on the wallboard."""
    clerk: Literal["none", "staff_number", "display_name"] = "none"
    """Who the performance board names at each window: nobody (the default), the clerk's staff
    number (their sign-in name), or their display name."""


class Rules(_Model):
    """What the scheduler does on its own and when the dashboard raises an alert."""

    auto_no_show_minutes: int = Field(10, ge=0, le=120)
    """A ticket called and not started within this many minutes is marked a no-show (0: never)."""
    close_out_after_minutes: int = Field(30, ge=0, le=600)
    """Minutes after closing time when the day is closed out (tickets left expire)."""
    queue_alert: int = Field(15, ge=1, le=1000)
    """Tickets waiting for one service that raise an alert."""
    pause_alert_minutes: int = Field(30, ge=1, le=600)
    """A window paused this long raises an alert."""
    wait_alert_share: float = Field(0.0, ge=0, le=1)
    """Raise a wait alert when a service has any ticket past its target (0) … or this share."""
    kiosk_tickets_per_minute: int = Field(10, ge=0, le=1000)
    """Tickets one kiosk gives out in a minute at most (0: no limit): a child tapping away
    cannot empty the day's numbers."""
    late_wait: Literal["off", "warn", "refuse"] = "warn"
    """A ticket whose expected wait runs past closing time (less ``late_wait_margin_minutes``):
    ``warn`` gives it with a warning, ``refuse`` gives none and says why, ``off`` says nothing."""
    late_wait_margin_minutes: int = Field(0, ge=0, le=240)
    """How long before closing a visitor must be called at the latest (their own service time)."""
    kiosk_help_per_minute: int = Field(2, ge=0, le=60)
    """Calls for staff one kiosk may make in a minute (0: no limit)."""


class Booking(_Model):
    """Appointments (预约): the ``[booking]`` section of the hall file.

    A slot's places: see :func:`queues.rules.booking.capacity` (the windows serving the matter,
    their time shared among the services each serves, less ``walk_in_share`` kept for walk-ins,
    divided by the matter's ``service_minutes``)."""

    enabled: StrictBool = True
    horizon_days: int = Field(5, ge=1, le=60)
    """How many working days ahead (from tomorrow) a visitor may book."""
    slot_minutes: int = Field(30, ge=5, le=240)
    """The length of a slot; slots start at opening time, every ``slot_minutes``."""
    walk_in_share: float = Field(0.4, ge=0, lt=1)
    """The share of each slot's window time kept for walk-ins (0.4: 40 %)."""
    grace_minutes: int = Field(15, ge=0, le=120)
    """A booked visitor arriving this late still keeps the slot; later, the booking is a no-show
    (and a visitor who comes is checked in as a walk-in)."""
    early_minutes: int = Field(60, ge=0, le=480)
    """How long before the slot check-in is allowed."""
    no_shows_per_month: int = Field(2, ge=0, le=100)
    """This many no-shows in 30 days bar the person from booking (0: never)."""
    cancels_per_month: int = Field(5, ge=0, le=100)
    """This many cancellations in 30 days bar the person from booking (0: never)."""
    same_matter_per_day: int = Field(3, ge=0, le=100)
    """At most this many bookings of one matter on one day per person (0: no limit)."""
    bar_days: int = Field(30, ge=1, le=365)
    """How long a bar lasts, in days."""


class Notify(_Model):
    """Text messages to visitors (短信通知): the ``[notify]`` section of the hall file."""

    enabled: StrictBool = True
    near: int = Field(3, ge=0, le=50)
    """A visitor who left a number is told when this many people or fewer are ahead (0: only
    when next)."""
    remind_at: time = time(18, 0)
    """When, hall-local, the day-before reminders of the next working day's bookings go out."""
    channel: Annotated[str, StringConstraints(pattern=NOTIFY_URI)] | None = None
    """This hall's channel (``https://…``, ``file:/folder``, ``dummy:``); None: the
    deployment's ``HALLQ_NOTIFY``."""


class HallConfig(_Model):
    hall: HallInfo
    hours: Hours = Hours()
    zones: list[Zone]
    services: list[Service]
    profiles: list[Profile]
    windows: list[Window]
    kiosks: list[Kiosk] = []
    printing: Printing = Printing()
    display: Display = Display()
    rules: Rules = Rules()
    booking: Booking = Booking()
    notify: Notify = Notify()

    @model_validator(mode="after")
    def _references(self) -> HallConfig:
        zones = _unique("zones", [z.code for z in self.zones])
        services = _unique("services", [s.code for s in self.services])
        profiles = _unique("profiles", [p.code for p in self.profiles])
        _unique("windows", [str(w.id) for w in self.windows])
        kiosks = _unique("kiosks", [k.id for k in self.kiosks])
        for i, k in enumerate(self.kiosks):
            if k.zone is not None and k.zone not in zones:
                raise _ref_error(("kiosks", i, "zone"), k.zone, "zone", zones)
        for i, s in enumerate(self.services):
            if s.zone not in zones:
                raise _ref_error(("services", i, "zone"), s.zone, "zone", zones)
            if s.first_step is not None:
                if s.first_step not in services:
                    raise _ref_error(
                        ("services", i, "first_step"), s.first_step, "service", services
                    )
                if s.first_step == s.code:
                    raise _LocatedError(
                        ("services", i, "first_step"), "a service cannot be its own first step"
                    )
        for i, p in enumerate(self.profiles):
            for code in p.services:
                if code not in services:
                    raise _ref_error(("profiles", i, "services", code), code, "service", services)
        for i, w in enumerate(self.windows):
            if w.zone not in zones:
                raise _ref_error(("windows", i, "zone"), w.zone, "zone", zones)
            if w.profile not in profiles:
                raise _ref_error(("windows", i, "profile"), w.profile, "profile", profiles)
            if w.print_at is not None and w.print_at not in kiosks:
                raise _ref_error(("windows", i, "print_at"), w.print_at, "kiosk", kiosks)
        opening = (
            datetime.combine(date.min, self.hours.close)
            - datetime.combine(date.min, self.hours.open)
        ).total_seconds() / 60
        if self.booking.slot_minutes > opening:
            raise _LocatedError(
                ("booking", "slot_minutes"),
                f"a slot of {self.booking.slot_minutes} minutes is longer than the opening hours",
            )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.hall.timezone)

    def service(self, code: str) -> Service | None:
        return self.services_by_code.get(code)

    def kiosk(self, kiosk_id: str | None) -> Kiosk | None:
        return next((k for k in self.kiosks if k.id == kiosk_id), None)

    def zone(self, code: str) -> Zone | None:
        return next((z for z in self.zones if z.code == code), None)

    @cached_property
    def targets(self) -> Targets:
        """Service code → its wait target in minutes; the default for a code no longer in the
        file (a ticket of yesterday's hall file). A plain mapping, for loops over many tickets."""
        return Targets({s.code: s.target_minutes for s in self.services})

    def target(self, code: str) -> int:
        """The wait target of service ``code`` in minutes (see ``targets``)."""
        return self.targets[code]

    @cached_property
    def services_by_code(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def weights_of_window(self) -> dict[int, dict[str, float]]:
        """Window id → the services its work profile calls, with their weights."""
        profiles = {p.code: p.services for p in self.profiles}
        return {w.id: dict(profiles[w.profile]) for w in self.windows}

    def with_window_services(self, day_services: dict[int, dict[str, float]]) -> HallConfig:
        """This hall with some windows' work profiles replaced for the day (window id → service
        code → weight; :mod:`queues.workday`): each such window gets a profile of its own."""
        if not day_services:
            return self
        data = self.model_dump()
        for window in data["windows"]:
            services = day_services.get(window["id"])
            if services:
                code = f"day-{window['id']}"
                data["profiles"].append({"code": code, "name": None, "services": services})
                window["profile"] = code
        return HallConfig.model_validate(data)

    @cached_property
    def windows_serving(self) -> dict[str, frozenset[int]]:
        """Service code → the windows whose work profile lists it (empty: none does)."""
        result: dict[str, set[int]] = {s.code: set() for s in self.services}
        for window, weights in self.weights_of_window.items():
            for code in weights:
                result[code].add(window)
        return {code: frozenset(ids) for code, ids in result.items()}


class _LocatedError(ValueError):
    """A cross-reference error that knows which key it is about."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _unique(what: str, codes: list[str]) -> set[str]:
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            key = "id" if what == "windows" else "code"
            raise _LocatedError((what, i, key), f"{code!r} appears twice in {what}")
        seen.add(code)
    return seen


def _ref_error(loc: tuple[str | int, ...], value: str, kind: str, known: set[str]) -> _LocatedError:
    hint = ", ".join(sorted(known)[:12])
    return _LocatedError(loc, f"no {kind} {value!r} is defined (known: {hint})")


def load(path: str | Path) -> HallConfig:
    """Read and validate a hall file, or raise :class:`ConfigError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (set HALLQ_CONFIG to the hall file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the hall file: {exc}") from None
    return parse(text, source=str(path))


def parse(text: str, source: str = "hall.toml") -> HallConfig:
    return validate(read_toml(text, source), text, source)


def read_toml(text: str, source: str) -> dict:
    """The TOML document ``text`` as a dict, or :class:`ConfigError` naming ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def validate(raw: dict, text: str, source: str) -> HallConfig:
    """The hall that the parsed document ``raw`` (of ``text``, read from ``source``) describes."""
    try:
        return HallConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(messages_of(exc, text, source))) from None


def messages_of(exc: ValidationError, text: str, source: str) -> list[str]:
    """One line per mistake pydantic found in ``text``: file, line, key and what is wrong."""
    messages = []
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _LocatedError):
            messages.append(describe(text, source, ctx_error.loc, ctx_error.message))
        else:
            messages.append(describe(text, source, err["loc"], _plain(err)))
    return messages


def _plain(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (check its spelling)"
    if err["type"] == "missing":
        return "required but missing"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def describe(text: str, source: str, loc: tuple[str | int, ...], message: str) -> str:
    """``source, line N: key: message`` for the key at ``loc`` (no line when none holds it)."""
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    line = locate(text, loc)
    where = f"{source}, line {line}" if line else source
    return f"{where}: {key or '(top level)'}: {message}"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r'^\s*("?)([A-Za-z0-9_-]+)\1\s*=')


def locate(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line of ``text`` that holds the key at ``loc``, for the common layout of hall files.

    Understands ``[table]`` and ``[[array]]`` headers and ``key = value`` lines; when the key
    itself is absent (a missing key) it answers the line of the table that should hold it.
    """
    if not loc:
        return None
    table: tuple[str | int, ...] = ()
    counts: dict[str, int] = {}
    best: int | None = None
    best_depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2)
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = (name, counts[name])
            else:
                table = tuple(name.split("."))
            depth = _common(table, loc)
            if depth == len(table) and depth > best_depth:
                best, best_depth = number, depth
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, key.group(2))
            depth = _common(path, loc)
            if depth == len(path) and depth > best_depth:
                best, best_depth = number, depth
    return best


def _common(path: tuple[str | int, ...], loc: tuple[str | int, ...]) -> int:
    n = 0
    for a, b in zip(path, loc, strict=False):
        if a != b:
            break
        n += 1
    return n
