"""Building blocks every page shares: the language switch, the manager's bar, the screens."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from queues.access.staff import StaffUser
from queues.hall.config import HallConfig
from queues.text.i18n import other_lang, t, weekdays
from web import auth, current
from web.current import context


def with_lang(path: str, lang: str) -> str:
    """``path`` with ``?lang=en`` when the page is in English (zh-CN needs nothing)."""
    if lang != "en":
        return path
    return f"{path}{'&' if '?' in path else '?'}lang=en"


def lang_switch(path: str, lang: str, **kwargs: Any) -> dbc.Button:
    """A one-tap switch to the other language, on the same page (``path`` as the default hall
    writes it: a page under a hall switches to the same page under that hall)."""
    return dbc.Button(
        t("lang.switch", lang),
        href=with_lang(current.path(path), other_lang(lang)),
        external_link=True,
        color="light",
        className="hallq-lang-switch",
        **kwargs,
    )


# The manager's pages, in the order their bar links them.
MANAGER_PAGES = (
    ("/dashboard", "screen.dashboard"),
    ("/reports", "screen.reports"),
    ("/staff", "staff.title"),
    ("/bookings", "screen.bookings"),
)


def manager_bar(title: str, here: str, lang: str, *middle: Any) -> dbc.Row:
    """The top of a manager's page: its title, what the page adds (``middle``), then the other
    manager pages, the language switch and signing out. Not printed."""
    links = [
        dbc.Button(
            t(key, lang),
            href=with_lang(current.path(path), lang),
            color="link",
            id=f"bar{path}".replace("/", "-"),
        )
        for path, key in MANAGER_PAGES
        if path != here
    ]
    sign_out = dbc.Button(
        t("login.sign_out", lang),
        href=current.path("/logout"),
        external_link=True,
        color="link",
        id="bar-sign-out",
    )
    return dbc.Row(
        [
            dbc.Col(html.H1(title, className="h3 mb-0"), width="auto"),
            *[dbc.Col(part, width="auto") for part in middle],
            dbc.Col([*links, sign_out, lang_switch(here, lang)], className="ms-auto", width="auto"),
        ],
        className="align-items-center g-3 mt-2 mb-3 d-print-none",
    )


def screens() -> list[dict[str, Any]]:
    """The registered pages that are screens of their own (they carry ``title_key``)."""
    pages = [p for p in dash.page_registry.values() if p.get("title_key")]
    return sorted(pages, key=lambda p: (p.get("screen_order", 99), p["path"]))


def screen_card(page: dict[str, Any], lang: str) -> dbc.Col:
    href = with_lang(current.path(page.get("example_path") or page["path"]), lang)
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H3(t(page["title_key"], lang), className="h4 card-title"),
                    html.P(t(page["about_key"], lang), className="card-text"),
                    dbc.Button(href, href=href, external_link=True, color="primary", outline=True),
                ]
            ),
            className="h-100 shadow-sm",
            id={"type": "screen-card", "index": page["path"]},
        ),
        md=6,
        lg=4,
        className="mb-3",
    )


def ticket_hours(cfg: HallConfig, lang: str) -> str:
    """When the hall gives out tickets, in words (the kiosk's and the take page's line)."""
    h = cfg.hours
    return t(
        "kiosk.hours",
        lang,
        days=weekdays(h.days, lang),
        first=f"{h.first_ticket:%H:%M}",
        last=f"{h.last_ticket:%H:%M}",
    )


def date_or(text: str | None, default: date) -> date:
    """The day an address gives (``?date=2026-11-24``), or ``default`` for none or a bad one."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def period_asked(
    period: str, anchor: str | None, end: str | None, today: date
) -> tuple[date, date | None]:
    """A report's period as its fields give it: its day, and the last day of a custom one."""
    return date_or(anchor, today), (date_or(end, today) if period == "custom" else None)


def choice_buttons(
    ident: str, options: list[dict[str, str]], value: str, colour: str
) -> dbc.RadioItems:
    """One choice of a few, as a row of buttons (the reports' period and grouping)."""
    return dbc.RadioItems(
        id=ident,
        options=options,
        value=value,
        inline=True,
        className="btn-group",
        inputClassName="btn-check",
        labelClassName=f"btn btn-outline-{colour}",
        labelCheckedClassName="active",
    )


def period_fields(
    prefix: str, periods: tuple[str, ...], period: str, anchor: date, last: date, lang: str
) -> list[dbc.Col]:
    """A report's period: its kind (``<prefix>-period``), its day (``<prefix>-date``) and, for a
    custom one, its last day (``<prefix>-end`` in ``<prefix>-end-box``)."""
    options = [{"label": t(f"report.period.{p}", lang), "value": p} for p in periods]
    return [
        dbc.Col(
            [
                dbc.Label(t("report.period", lang)),
                choice_buttons(f"{prefix}-period", options, period, "primary"),
            ],
            width="auto",
        ),
        dbc.Col(
            [
                dbc.Label(t("report.date", lang), html_for=f"{prefix}-date"),
                html.Div(
                    [
                        date_picker(f"{prefix}-date", anchor, lang),
                        html.Span(
                            [
                                dbc.Label(
                                    t("report.end", lang),
                                    html_for=f"{prefix}-end",
                                    className="mx-2 mb-0",
                                ),
                                date_picker(f"{prefix}-end", last, lang),
                            ],
                            id=f"{prefix}-end-box",
                            className="" if period == "custom" else "d-none",
                        ),
                    ],
                    className="d-flex align-items-center",
                ),
            ],
            width="auto",
        ),
    ]


def date_picker(ident: str, day: date, lang: str) -> dcc.DatePickerSingle:
    """A date picker in the page's language: its month heading written the page's way, its
    weekday and month names from the date-fns locale the page loads (assets/12-page-locale.js)."""
    return dcc.DatePickerSingle(
        id=ident,
        date=day.isoformat(),
        display_format="YYYY-MM-DD",
        month_format=t("report.month_format", lang),
        first_day_of_week=1,
        placeholder=t("report.pick_date", lang),
    )


def managers_only(page: str, here: str, lang: str) -> tuple[StaffUser | None, Any]:
    """The signed-in manager (or administrator), or what a manager's page shows instead: the
    sign-in page, coming back to ``here`` afterwards, or a refusal naming the user's role."""
    user = auth.current_user()
    if user is None:
        href = current.path("/login") + "?" + urlencode({"next": current.path(here)})
        return None, dcc.Location(id=f"{page}-to-login", href=href, refresh=True)
    if not user.at_least("manager"):
        refusal = t("error.managers_only", lang, role=t(f"role.{user.role}", lang))
        return None, dbc.Container(html.H1(refusal, className="h3 mt-5"))
    if not auth.may_act_here(user):
        return None, other_hall(user, lang)
    return user, None


def network_managers_only(page: str, here: str, lang: str) -> tuple[StaffUser | None, Any]:
    """As :func:`managers_only`, for the network's pages: a manager or administrator who may
    see every hall (:func:`web.auth.sees_network`), or what the page shows instead."""
    user, instead = managers_only(page, here, lang)
    if user is None or auth.sees_network(user):
        return user, instead
    hall = user.hall or ""
    return None, dbc.Container(html.H1(t("network.only", lang, hall=hall), className="h3 mt-5"))


def other_hall(user: StaffUser, lang: str) -> Any:
    """What a hall's account sees on another hall's staff page: whose hall it is, and a link
    to the account's own."""
    words = t("staff.other_hall", lang, own=user.hall or "", hall=context().hall)
    return dbc.Container(
        [
            html.H1(words, className="h3 mt-5", id="other-hall"),
            dbc.Button(
                t("login.continue", lang),
                href=auth.home_of(user),
                color="primary",
                external_link=True,
            ),
        ]
    )
