"""What a ticket slip says: rows of centred text, a QR code to follow the ticket, more rows.

Pure data, built from a ticket and the hall file. The kiosk package prints it (ESC/POS text or a
raster image); the API hands it to a kiosk's print agent as JSON. A row's text is made
:func:`~queues.text.printable.printable` when the row is made, so no row, here or in an agent that
rebuilt it from JSON, carries a character a printer would take as a command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from queues.answers import TicketView
from queues.hall.config import HallConfig
from queues.rules.lifecycle import Priority
from queues.text.directions import directions
from queues.text.i18n import t
from queues.text.printable import printable

Size = Literal["small", "normal", "large", "huge"]
Paper = Literal[58, 80]
RULE_COLUMNS = {80: 48, 58: 32}
"""Characters of the printer's normal font across the paper: the length of a rule."""


@dataclass(frozen=True)
class Row:
    text: str
    size: Size = "normal"
    bold: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", printable(self.text))


@dataclass(frozen=True)
class Layout:
    """A ticket as rows of centred text, a QR code, and more rows."""

    paper: Paper
    head: list[Row]
    qr: str | None
    tail: list[Row] = field(default_factory=list)
    name: str = "ticket"
    """A name for files made of it (the number and the ticket id)."""


@dataclass(frozen=True)
class Booked:
    """The ticket is a booking's (:mod:`queues.checkin`): its slot's start (``10:00``, the hall's
    time) and how it was checked in (early, on_time, grace, late)."""

    slot: str
    timing: str


def booked_rows(booked: Booked) -> list[Row]:
    """What a booking's slip says under the number: a booked ticket, and when its turn starts
    (early) or that it keeps its slot; checked in late, that it queues as a walk-in."""
    if booked.timing == "late":
        return [
            Row(t("checkin.late", "zh"), "normal", bold=True),
            Row(t("checkin.late", "en"), "small"),
        ]
    key = "checkin.turn_at" if booked.timing == "early" else "checkin.kept"
    return [
        Row(f"{t('checkin.booked', 'zh')} {t('checkin.booked', 'en')}", "normal", bold=True),
        Row(t(key, "zh", time=booked.slot), "normal", bold=True),
        Row(t(key, "en", time=booked.slot), "small"),
    ]


def build(
    ticket: TicketView,
    cfg: HallConfig,
    *,
    base_url: str,
    paper: Paper = 80,
    kiosk: str | None = None,
    reprint: bool = False,
    now: datetime | None = None,
    booked: Booked | None = None,
) -> Layout:
    """The layout of ``ticket``'s slip: where to go, how long, and a QR code to follow it; a
    booking's ticket (``booked``) says so."""
    hall = cfg.hall
    where = directions(cfg, ticket.service, ticket.target_window)
    rule = Row("-" * RULE_COLUMNS[paper])
    head = [
        Row(hall.name.zh, "normal", bold=True),
        Row(hall.name.en, "small"),
        rule,
        Row(f"{t('print.your_number', 'zh')}  {t('print.your_number', 'en')}", "small"),
        Row(ticket.number, "huge", bold=True),
    ]
    if ticket.priority != Priority.NORMAL:
        key = "print.green" if ticket.priority == Priority.GREEN else "print.priority"
        head.append(Row(f"{t(key, 'zh')} {t(key, 'en')}", "normal", bold=True))
    if booked is not None:
        head += booked_rows(booked)
    chosen = cfg.service(ticket.requested_service)
    if chosen is not None and chosen.code != ticket.service:
        head += [
            Row(chosen.name.zh, "large", bold=True),
            Row(chosen.name.en, "small"),
            Row(t("print.first_step", "zh", name=ticket.service_name_zh), "normal", bold=True),
            Row(t("print.first_step", "en", name=ticket.service_name_en), "small"),
        ]
    else:
        head += [
            Row(ticket.service_name_zh, "large", bold=True),
            Row(ticket.service_name_en, "small"),
        ]
    head += [
        Row(where.text("zh"), "normal"),
        Row(where.text("en"), "small"),
    ]
    if ticket.ahead is not None:
        head.append(Row(_wait_line(ticket, "zh"), "normal", bold=True))
        head.append(Row(_wait_line(ticket, "en"), "small"))
    issued = (now or ticket.issued_at).astimezone(cfg.tz)
    tail = [
        Row(f"{t('print.scan', 'zh')}  {t('print.scan', 'en')}", "small"),
        rule,
        Row(
            f"{issued:%Y-%m-%d %H:%M}"
            + (f"  {kiosk}" if kiosk else "")
            + (f"  {t('print.reprint', 'zh')} {t('print.reprint', 'en')}" if reprint else ""),
            "small",
        ),
        Row(t("print.keep", "zh"), "small"),
        Row(t("print.keep", "en"), "small"),
    ]
    if cfg.printing.footer is not None:
        tail += [Row(cfg.printing.footer.zh, "small"), Row(cfg.printing.footer.en, "small")]
    return Layout(
        paper=paper,
        head=head,
        qr=base_url.rstrip("/") + ticket.status_url,
        tail=tail,
        name=f"{issued:%Y%m%d}-{ticket.number}-{ticket.id}",
    )


def _wait_line(ticket: TicketView, lang: str) -> str:
    ahead = t("print.ahead", lang, ahead=ticket.ahead)
    if ticket.eta_minutes is None:
        eta = t("print.eta_unknown", lang)
    elif ticket.eta_minutes == 0:
        eta = t("print.eta_now", lang)
    else:
        eta = t("print.eta", lang, minutes=ticket.eta_minutes)
    return t("print.wait", lang, ahead=ahead, eta=eta)


def unprintable(number: str, exc: BaseException) -> str:
    """Why a ticket's slip could not be made (the job's own fault), for its record and staff."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"ticket {number}: the slip cannot be made ({type(exc).__name__}: {detail})"[:500]
