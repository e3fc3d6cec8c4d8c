"""The day's appointments, for managers (``/bookings``): who booked which matter at what time and
whether they came, the places each slot has left, and the people barred from booking, with a
button that lifts a bar. The address holds the choice (``/bookings?day=2026-12-08&service=tax``).
Names and numbers are shown here: a manager's page, checked on the server in every callback."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, Strict

from components.screens import date_or, manager_bar, managers_only
from queues import bookings, errors
from queues.inputs import Code, DateInput, Lang
from queues.text.i18n import t
from web import auth, boundary
from web.current import context, lang_of, path

boundary.accepts(
    {
        "bookings-day.date": DateInput,
        "bookings-service.value": Code | Literal[""] | None,
        "bookings-status.value": Literal[bookings.STATUSES] | Literal[""] | None,  # type: ignore[valid-type]
        "bookings-lang.data": Lang,
        "bookings-tick.data": Annotated[int, Strict(), Field(ge=0, le=2**31)] | None,
        "bookings-lift.id.index": Annotated[int, Strict(), Field(ge=1, le=2**62)],
    }
)


def layout(
    lang: str | None = None,
    day: str | None = None,
    service: str | None = None,
    status: str | None = None,
    **_: str,
) -> Any:
    lang = lang_of(lang)
    asked = {"day": day, "service": service, "status": status, "lang": lang}
    user, instead = managers_only(
        "bookings", "/bookings?" + urlencode({k: v for k, v in asked.items() if v}), lang
    )
    if user is None:
        return instead
    ctx = context()
    chosen = date_or(day, ctx.business_day())
    services = bookings.bookable_services(ctx)
    codes = [s.code for s in services]
    return dbc.Container(
        [
            dcc.Store(id="bookings-lang", data=lang),
            dcc.Store(id="bookings-tick", data=0),
            manager_bar(t("bookings.title", lang), "/bookings", lang),
            dbc.Card(
                dbc.CardBody(
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label(t("bookings.day", lang), html_for="bookings-day"),
                                    dcc.DatePickerSingle(
                                        id="bookings-day",
                                        date=chosen.isoformat(),
                                        display_format="YYYY-MM-DD",
                                        first_day_of_week=1,
                                    ),
                                ],
                                width="auto",
                            ),
                            dbc.Col(
                                [
                                    dbc.Label(
                                        t("bookings.service", lang), html_for="bookings-service"
                                    ),
                                    dbc.Select(
                                        id="bookings-service",
                                        options=[{"label": t("bookings.all", lang), "value": ""}]
                                        + [
                                            {"label": s.name(lang), "value": s.code}
                                            for s in services
                                        ],
                                        value=service if service in codes else "",
                                    ),
                                ],
                                width="auto",
                            ),
                            dbc.Col(
                                [
                                    dbc.Label(
                                        t("booking.status", lang), html_for="bookings-status"
                                    ),
                                    dbc.Select(
                                        id="bookings-status",
                                        options=[{"label": t("bookings.all", lang), "value": ""}]
                                        + [
                                            {"label": t(f"booking.status.{s}", lang), "value": s}
                                            for s in bookings.STATUSES
                                        ],
                                        value=status if status in bookings.STATUSES else "",
                                    ),
                                ],
                                width="auto",
                            ),
                        ],
                        className="g-4",
                    )
                ),
                className="mb-3",
            ),
            html.Div(id="bookings-message"),
            html.Div(id="bookings-body"),
            html.H2(t("bookings.bars", lang), className="h5 mt-4"),
            html.Div(id="bookings-bars"),
        ],
        fluid=True,
        className="pb-5",
    )


dash.register_page(
    "bookings",
    path="/bookings",
    layout=layout,
    title=t("screen.bookings"),
    screen_order=78,
    title_key="screen.bookings",
    about_key="screen.bookings.about",
)


def _table(heads: list[str], rows: list[list[Any]], ident: str) -> Any:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in heads])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        id=ident,
        bordered=False,
        hover=True,
        size="sm",
        className="mb-3",
    )


@callback(
    Output("bookings-body", "children"),
    Output("bookings-bars", "children"),
    Input("bookings-day", "date"),
    Input("bookings-service", "value"),
    Input("bookings-status", "value"),
    Input("bookings-tick", "data"),
    State("bookings-lang", "data"),
)
def show(
    day_text: str | None, service: str | None, status: str | None, _tick: int | None, lang: str
) -> tuple[Any, Any]:
    auth.require("manager")
    ctx = context()
    day = date_or(day_text, ctx.business_day())
    cfg = ctx.config
    try:
        rows = bookings.listing(ctx, day, service or None, status or None)
        matters = [s for s in bookings.bookable_services(ctx) if not service or s.code == service]
        capacity = []
        for svc in matters:
            for slot in bookings.slots(ctx, svc.code, day):
                capacity.append(
                    [
                        svc.name(lang),
                        f"{slot.start:%H:%M}",
                        slot.capacity,
                        slot.booked,
                        slot.left,
                    ]
                )
        bars = bookings.bars(ctx)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update

    def matter(code: str) -> str:
        svc = cfg.service(code)
        return svc.name(lang) if svc else code

    listed = (
        _table(
            [
                t(f"bookings.col.{c}", lang)
                for c in ("slot", "matter", "code", "name", "phone", "status")
            ],
            [
                [
                    f"{r.slot:%H:%M}",
                    matter(r.service),
                    r.code,
                    r.name,
                    r.phone,
                    t(f"booking.status.{r.status}", lang),
                ]
                for r in rows
            ],
            "bookings-list",
        )
        if rows
        else html.P(t("bookings.none", lang), id="bookings-list-none")
    )
    body = [
        html.H2(
            f"{t('bookings.list', lang)} · {day.isoformat()} · "
            + t("bookings.count", lang, count=len(rows)),
            className="h5",
            id="bookings-heading",
        ),
        listed,
        html.H2(t("bookings.capacity", lang), className="h5 mt-4"),
        _table(
            [
                t(f"bookings.col.{c}", lang)
                for c in ("matter", "slot", "capacity", "booked", "left")
            ],
            capacity,
            "bookings-capacity",
        ),
        html.A(
            t("bookings.link", lang),
            href=path("/bookings")
            + "?"
            + urlencode(
                {
                    k: v
                    for k, v in {
                        "day": day.isoformat(),
                        "service": service,
                        "status": status,
                        "lang": lang,
                    }.items()
                    if v
                }
            ),
            id="bookings-link",
        ),
    ]
    if not bars:
        shown_bars: Any = html.P(t("bookings.bars.none", lang), id="bookings-bars-none")
    else:
        shown_bars = _table(
            [t(f"bookings.col.{c}", lang) for c in ("name", "person", "reason", "until")] + [""],
            [
                [
                    b.name or "",
                    b.phone or "",
                    t(f"booking.bar.{b.reason}", lang).format(limit=_limit(cfg, b.reason)),
                    f"{b.until:%Y-%m-%d %H:%M}",
                    dbc.Button(
                        t("bookings.lift", lang),
                        id={"type": "bookings-lift", "index": b.id},
                        size="sm",
                        color="warning",
                    ),
                ]
                for b in bars
            ],
            "bookings-bars-table",
        )
    return body, shown_bars


def _limit(cfg: Any, reason: str) -> int:
    b = cfg.booking
    return {
        "no_shows": b.no_shows_per_month,
        "cancels": b.cancels_per_month,
        "same_matter": b.same_matter_per_day,
    }.get(reason, 0)


@callback(
    Output("bookings-message", "children"),
    Output("bookings-tick", "data"),
    Input({"type": "bookings-lift", "index": ALL}, "n_clicks"),
    State("bookings-lang", "data"),
    State("bookings-tick", "data"),
    prevent_initial_call=True,
)
def lift(_clicks: list[int | None], lang: str, tick: int | None) -> tuple[Any, Any]:
    """A manager lets a barred person book again."""
    user = auth.require("manager")
    if not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
        return no_update, no_update  # drawn, not pressed
    bar = int(dash.ctx.triggered_id["index"])
    try:
        bookings.lift_bar(context(), bar, user.actor)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="warning"), no_update
    done = dbc.Alert(t("bookings.lifted", lang), color="success", id="bookings-lifted")
    return done, (tick or 0) + 1
