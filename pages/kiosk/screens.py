"""The kiosk's screens, drawn from its state (:mod:`pages.kiosk.flow`) in the state's language.

One function per screen; switching the language draws the same screen again in the other one.
Every tap target is a button whose id names its tap (``{"type": "kiosk-tap", "tap": "back"}``,
``data-tap="back"``), a matter's ``{"type": "kiosk-service", "index": code}``, a key's
``{"type": "kiosk-key", "key": "7"}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import html

from components.qr import qr_data_uri
from components.screens import ticket_hours
from components.ticket_words import chosen_service, expected_wait
from pages.kiosk.flow import BOOKING_KEYS, KEYS, Menu, State
from queues.answers import TicketView
from queues.hall.config import HallConfig, Service
from queues.read import boards
from queues.rules import issuing
from queues.rules.lifecycle import Priority
from queues.text.directions import directions, floor_words, window_ranges
from queues.text.i18n import t

Board = dict[str, boards.ServiceStatus]
EXAMPLES = 4
"""Matters named on a zone's button on the start screen (the rest are counted)."""


def tap_button(tap: str, content: Any, class_name: str, **extra: Any) -> html.Button:
    return html.Button(
        content,
        id={"type": "kiosk-tap", "tap": tap},
        className=class_name,
        n_clicks=0,
        **{"data-tap": tap},
        **extra,
    )


def draw(
    cfg: HallConfig,
    m: Menu,
    s: State,
    board: Board,
    ticket: TicketView | None = None,
    *,
    local: datetime | None = None,
    open_always: bool = False,
    status_url: str = "",
) -> html.Section:
    """The screen of state ``s``. The section's class names the screen: a new screen's taps are
    held back a moment (CSS), so the second tap of a double tap lands on nothing."""
    lang = s.lang
    if s.screen == "zone":
        body = _zone(cfg, m, s, board)
    elif s.screen == "how":
        body = _how(cfg, m, s)
    elif s.screen == "code":
        body = _keypad(s)
    elif s.screen == "ticket":
        body = _ticket(cfg, ticket, lang, local, open_always, status_url, s)
        if s.error and ticket is not None:  # a call for help from here: said under the number
            note = html.P(t(s.error, lang), id="kiosk-help-said", className="kiosk-help-note")
            body[0].children.insert(2, note)
    elif s.screen == "help":
        body = _help(s)
    elif s.screen == "booking":
        body = _booking(s)
    else:
        body = _home(cfg, m, board, lang)
    if s.screen in ("home", "zone") and _first(m, s) and cfg.booking.enabled:
        body.insert(1, _booking_tile(lang))
    return html.Section(body, id="kiosk-screen", className=f"kiosk-screen kiosk-screen-{s.screen}")


# --- the start: zones -----------------------------------------------------------------------


def _home(cfg: HallConfig, m: Menu, board: Board, lang: str) -> list[Any]:
    tiles = []
    for i, (code, matters) in enumerate(m.zones):
        zone = cfg.zone(code)
        if zone is None:
            continue
        names = [s.name(lang) for c in matters[:EXAMPLES] if (s := cfg.service(c))]
        examples = ("、" if lang != "en" else ", ").join(names)
        if len(matters) > EXAMPLES:
            examples = t("kiosk.zone.examples", lang, names=examples)
        head = [html.Span(zone.name(lang), className="kiosk-zone-name")]
        if i == 0 and m.zones and len(m.zones) > 1:
            head.append(html.Span(t("kiosk.zone.here", lang), className="kiosk-zone-here"))
        tiles.append(
            tap_button(
                f"zone:{code}",
                [
                    html.Span(head, className="kiosk-zone-head"),
                    html.Span(
                        f"{floor_words(zone.floor, lang)} · "
                        f"{t('kiosk.zone.count', lang, count=len(matters))}",
                        className="kiosk-zone-floor",
                    ),
                    html.Span(examples, className="kiosk-zone-examples"),
                ],
                f"kiosk-zone-tile kiosk-zone-tile-{code}" + (" kiosk-zone-first" if i == 0 else ""),
                **{"data-zone": code},
            )
        )
    return [
        html.H1(t("kiosk.start", lang), id="kiosk-question", className="kiosk-question"),
        html.P(ticket_hours(cfg, lang), id="kiosk-hours", className="kiosk-hours"),
        html.Div(tiles, className="kiosk-zones"),
    ]


# --- a zone's matters, a page at a time --------------------------------------------------------


def _zone(cfg: HallConfig, m: Menu, s: State, board: Board) -> list[Any]:
    lang = s.lang
    zone = cfg.zone(s.zone or "")
    pages = m.pages(s.zone)
    page = pages[s.page] if s.page < len(pages) else ()
    title = (
        t("kiosk.zone", lang, zone=zone.name(lang), floor=floor_words(zone.floor, lang))
        if zone
        else ""
    )
    tabs: list[Any] = []
    if len(pages) > 1:
        tabs = [
            tap_button(
                f"page:{i}",
                t("kiosk.page", lang, n=i + 1),
                "kiosk-page" + (" kiosk-page-on" if i == s.page else ""),
                **{"aria-current": "page" if i == s.page else "false"},
            )
            for i in range(len(pages))
        ]
    return [
        html.H1(t("kiosk.choose", lang), id="kiosk-question", className="kiosk-question"),
        html.H2(title, id="kiosk-zone-title", className=f"kiosk-zone kiosk-zone-{s.zone}"),
        html.Div(
            [
                service_button(cfg, svc, board.get(svc.code), lang)
                for c in page
                if (svc := cfg.service(c))
            ],
            className="kiosk-grid",
        ),
        html.Div(
            # the only zone's matters are the start: there is nothing to go back to
            [
                *([] if m.only_zone else [tap_button("back", t("kiosk.back", lang), "kiosk-back")]),
                *tabs,
            ],
            className="kiosk-nav",
        ),
    ]


def service_button(
    cfg: HallConfig, svc: Service, status: boards.ServiceStatus | None, lang: str
) -> html.Button:
    return html.Button(
        [
            html.Span(svc.name(lang), className="kiosk-service-name"),
            html.Span(_first_step_note(cfg, svc, lang), className="kiosk-service-note"),
            html.Span(
                service_info(status, lang),
                id={"type": "kiosk-info", "index": svc.code},
                className="kiosk-service-info",
            ),
        ],
        id={"type": "kiosk-service", "index": svc.code},
        className="kiosk-service",
        disabled=not (status and status.open),
        n_clicks=0,
        **{"data-service": svc.code},
    )


def _first_step_note(cfg: HallConfig, svc: Service, lang: str) -> str:
    if not svc.first_step:
        return ""
    windows = window_ranges(directions(cfg, svc.first_step).windows)
    return t("kiosk.first_step", lang, windows=windows)


def service_info(s: boards.ServiceStatus | None, lang: str) -> str:
    if s is None:
        return t("kiosk.paused", lang)
    if not s.open:
        return t(f"kiosk.reason.{s.reason}", lang)
    waiting = t("kiosk.waiting", lang, count=s.waiting)
    if s.eta_minutes is None:
        return f"{waiting} · {t('kiosk.eta_none', lang)}"
    if s.eta_minutes == 0:
        return f"{waiting} · {t('kiosk.eta_now', lang)}"
    return f"{waiting} · {t('kiosk.eta', lang, minutes=s.eta_minutes)}"


# --- how: normal, priority, the green channel ----------------------------------------------------


def _how(cfg: HallConfig, m: Menu, s: State) -> list[Any]:
    lang = s.lang
    svc = cfg.service(s.service or "")
    choices = [
        tap_button("normal", _choice("kiosk.normal", None, lang), "kiosk-choice kiosk-go-normal"),
        tap_button(
            "priority",
            _choice("kiosk.priority", "kiosk.priority.note", lang),
            "kiosk-choice kiosk-go-priority",
        ),
    ]
    if s.service in m.green:
        choices.append(
            tap_button(
                "green",
                _choice("kiosk.green", "kiosk.green.note", lang),
                "kiosk-choice kiosk-go-green",
            )
        )
    return [
        html.P(t("kiosk.chosen", lang), className="kiosk-chosen-label"),
        html.H1(svc.name(lang) if svc else "", id="kiosk-chosen", className="kiosk-chosen"),
        html.Div(_error(cfg, s), id="kiosk-error", className="kiosk-error"),
        html.Div(choices, className="kiosk-choices"),
        html.Div(tap_button("back", t("kiosk.back", lang), "kiosk-back"), className="kiosk-nav"),
    ]


def _choice(label: str, note: str | None, lang: str) -> list[Any]:
    content = [html.Span(t(label, lang), className="kiosk-choice-label")]
    if note:
        content.append(html.Span(t(note, lang), className="kiosk-choice-note"))
    return content


def _error(cfg: HallConfig, s: State) -> str:
    return t(s.error, s.lang, close=f"{cfg.hours.close:%H:%M}") if s.error else ""


# --- the keypad ----------------------------------------------------------------------------------


def _keypad(s: State) -> list[Any]:
    lang = s.lang
    keys = [
        html.Button(
            t("kiosk.key.del", lang) if k == "del" else k,
            id={"type": "kiosk-key", "key": k},
            className="kiosk-key" + (" kiosk-key-del" if k == "del" else ""),
            n_clicks=0,
        )
        for k in KEYS
    ]
    return [
        html.H1(t("kiosk.code.title", lang), id="kiosk-code-title", className="kiosk-question"),
        html.Div(s.code or "\u00a0", id="kiosk-code-display", className="kiosk-code-display"),
        html.Div(
            t(s.error, lang) if s.error else "", id="kiosk-code-error", className="kiosk-error"
        ),
        html.Div(
            [
                html.Div(keys, className="kiosk-keys"),
                html.Div(
                    [
                        tap_button("ok", t("kiosk.code.ok", lang), "kiosk-ok"),
                        tap_button("back", t("kiosk.back", lang), "kiosk-back"),
                    ],
                    className="kiosk-code-side",
                ),
            ],
            className="kiosk-keypad-body",
        ),
    ]


# --- the ticket ----------------------------------------------------------------------------------


def _ticket(
    cfg: HallConfig,
    v: TicketView | None,
    lang: str,
    local: datetime | None,
    open_always: bool,
    status_url: str,
    s: State | None = None,
) -> list[Any]:
    if v is None:
        return [
            html.Div(t("kiosk.busy", lang), id="kiosk-error", className="kiosk-error"),
            tap_button("home", t("kiosk.ticket.done", lang), "kiosk-ok"),
        ]
    where = directions(cfg, v.service, v.target_window).text(lang)
    main: list[Any] = [
        html.P(t("kiosk.ticket.your", lang), className="kiosk-your"),
        html.Div(v.number, id="kiosk-number", className="kiosk-number"),
    ]
    if v.priority != Priority.NORMAL:
        # the slip's words: one definition of what a priority ticket is called
        key = "print.green" if v.priority == Priority.GREEN else "print.priority"
        main.append(html.P(t(key, lang), id="kiosk-class", className="kiosk-class"))
    if s is not None and s.timing is not None:  # a booking's ticket
        main += booked_words(s, lang)
    main.append(
        html.P(
            chosen_service(cfg, v, lang),
            id="kiosk-ticket-service",
            className="kiosk-ticket-service",
        )
    )
    if v.requested_service != v.service:  # a first step at the registration desk
        name = v.service_name_en if lang == "en" else v.service_name_zh
        main.append(
            html.P(
                t("print.first_step", lang, name=name),
                id="kiosk-first-step",
                className="kiosk-first-step",
            )
        )
    main += [
        html.P(where, id="kiosk-where", className="kiosk-where"),
        html.P(wait_words(v, lang), id="kiosk-wait", className="kiosk-wait"),
    ]
    if local is not None and issuing.late(cfg, local, v.eta_minutes, open_always=open_always):
        main.append(
            html.P(
                t("kiosk.ticket.late", lang, close=f"{cfg.hours.close:%H:%M}"),
                id="kiosk-late",
                className="kiosk-late",
            )
        )
    main.append(
        html.Div(
            html.Span(t("kiosk.print.printing", lang), className="kiosk-print-wait"),
            id="kiosk-print",
            className="kiosk-print",
        )
    )
    return [
        html.Div(main, className="kiosk-ticket-main"),
        html.Div(
            [
                html.Img(src=qr_data_uri(status_url), id="kiosk-qr", className="kiosk-qr", alt=""),
                html.P(t("kiosk.ticket.scan", lang), className="kiosk-scan"),
                tap_button("home", t("kiosk.ticket.done", lang), "kiosk-ok kiosk-done"),
            ],
            className="kiosk-ticket-side",
        ),
    ]


def wait_words(v: TicketView, lang: str) -> str:
    """How many are ahead and how long: nobody ahead yet a wait says why (the windows are busy)."""
    if v.eta_minutes is not None and v.eta_minutes > 0 and not v.ahead:
        return t("kiosk.ticket.busy", lang, minutes=v.eta_minutes)
    ahead = t("kiosk.ticket.ahead", lang, ahead=v.ahead or 0)
    return f"{ahead} · {expected_wait(v, lang)}"


# --- help ------------------------------------------------------------------------------------


def _help(s: State) -> list[Any]:
    lang = s.lang
    return [
        html.H1(t("kiosk.help", lang), className="kiosk-question"),
        html.P(
            t(s.error or "kiosk.help.sent", lang), id="kiosk-help-said", className="kiosk-help-said"
        ),
        tap_button("home", t("kiosk.home", lang), "kiosk-ok"),
    ]


# --- a booking's check-in (我有预约) -------------------------------------------------------------


def _first(m: Menu, s: State) -> bool:
    """The screen is the kiosk's first (the zones, or the only zone's matters)."""
    return s.screen == "home" or (s.screen == "zone" and m.only_zone is not None)


def _booking_tile(lang: str) -> html.Div:
    """The first screen's big "我有预约" button, above the zones."""
    return html.Div(
        tap_button(
            "booking",
            [
                html.Span(t("checkin.start", lang), className="kiosk-booking-label"),
                html.Span(t("checkin.prompt", lang), className="kiosk-booking-note"),
            ],
            "kiosk-booking-tile",
            **{"data-booking": "1"},
        ),
        className="kiosk-booking-row",
    )


def _booking(s: State) -> list[Any]:
    """The check-in screen: what was typed, large; a big key per character of a booking code;
    删除 and 确定. The ID-card reader and the QR scanner type into it (assets/kiosk.js)."""
    lang = s.lang
    keys = [
        html.Button(
            t("checkin.delete", lang) if k == "del" else k,
            id={"type": "kiosk-bkey", "key": k},
            className="kiosk-key kiosk-bkey" + (" kiosk-key-del" if k == "del" else ""),
            n_clicks=0,
            **{"data-key": k},
        )
        for k in BOOKING_KEYS
    ]
    error = s.said or (t(s.error, lang) if s.error else "")
    return [
        html.H1(t("checkin.title", lang), id="kiosk-booking-title", className="kiosk-question"),
        html.P(t("checkin.prompt", lang), className="kiosk-booking-prompt"),
        html.Div(s.key or "\u00a0", id="kiosk-key-display", className="kiosk-code-display"),
        html.Div(error, id="kiosk-booking-error", className="kiosk-error", role="alert"),
        html.Div(
            [
                html.Div(keys, className="kiosk-keys kiosk-bkeys"),
                html.Div(
                    [
                        tap_button("ok", t("checkin.ok", lang), "kiosk-ok"),
                        tap_button("back", t("checkin.back", lang), "kiosk-back"),
                    ],
                    className="kiosk-code-side",
                ),
            ],
            className="kiosk-keypad-body",
        ),
        html.P(t("checkin.or_scan", lang), className="kiosk-booking-scan"),
    ]


def booked_words(s: State, lang: str) -> list[Any]:
    """What the ticket screen says of a booking's ticket: that it is one, and when its turn
    starts (early), that it keeps its slot (on time, within grace), or that it came too late
    and queues as a walk-in."""
    slot = s.slot or ""
    if s.timing == "late":
        return [html.P(t("checkin.late", lang), id="kiosk-booked", className="kiosk-booked-late")]
    badge = html.P(t("checkin.booked", lang), id="kiosk-booked", className="kiosk-class")
    if s.timing == "early":
        words = t("checkin.turn_at", lang, time=slot)
    else:
        words = t("checkin.kept", lang, time=slot)
    return [badge, html.P(words, id="kiosk-turn", className="kiosk-turn")]
