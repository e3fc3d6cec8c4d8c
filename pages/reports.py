"""The centre's assessment reports (日考勤、周抽查、月考核、季评比、年汇总), for managers.

The address holds the choice (``/reports?period=month&date=2026-11-01&by=window``), so a report
can be bookmarked, sent on and printed. Past days come from the nightly roll-ups; a period that
includes today adds today's live figures.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)
from pydantic import Field, Strict, StringConstraints

from components.screens import (
    choice_buttons,
    date_or,
    manager_bar,
    managers_only,
    period_asked,
    period_fields,
)
from queues import errors, services
from queues.inputs import DateInput, Lang, Note
from queues.read import reports as reporting
from queues.read import rollups
from queues.rules.rating import FollowUp
from queues.text.i18n import t
from web import auth, boundary
from web.current import context, lang_of, path

GROUPS = rollups.GROUPS

boundary.accepts(
    {
        "report-period.value": Literal[reporting.PERIODS] | None,  # type: ignore[name-defined]
        "report-date.date": DateInput,
        "report-end.date": DateInput,
        "report-by.value": Literal[GROUPS] | None,  # type: ignore[valid-type]
        "report-lang.data": Lang,
        "report-fu-rating.value": Annotated[
            str, Strict(), StringConstraints(pattern=r"^[0-9]{1,10}$")
        ]
        | None,
        "report-fu-state.value": FollowUp | None,
        "report-fu-note.value": Note | None,
        "report-saved.data": Annotated[int, Strict(), Field(ge=0, le=2**31)] | None,
    }
)


def layout(
    lang: str | None = None,
    period: str | None = None,
    date: str | None = None,
    end: str | None = None,
    by: str | None = None,
    **_: str,
) -> Any:
    lang = lang_of(lang)
    asked = {"period": period, "date": date, "end": end, "by": by, "lang": lang}
    user, instead = managers_only(
        "report", "/reports?" + urlencode({k: v for k, v in asked.items() if v}), lang
    )
    if user is None:
        return instead
    today = context().business_day()
    period = period if period in reporting.PERIODS else "month"
    anchor = date_or(date, today)
    last = date_or(end, today)
    group = by if by in GROUPS else "window"
    return dbc.Container(
        [
            dcc.Store(id="report-lang", data=lang),
            dcc.Download(id="report-download"),
            manager_bar(t("report.title", lang), "/reports", lang),
            dbc.Card(
                dbc.CardBody(
                    dbc.Row(
                        [
                            *period_fields("report", reporting.PERIODS, period, anchor, last, lang),
                            dbc.Col(
                                [
                                    dbc.Label(t("report.by", lang)),
                                    choice_buttons(
                                        "report-by",
                                        [
                                            {"label": t(f"report.group.{g}", lang), "value": g}
                                            for g in GROUPS
                                        ],
                                        group,
                                        "secondary",
                                    ),
                                ],
                                width="auto",
                            ),
                            dbc.Col(
                                [
                                    dbc.Button(
                                        t("report.xlsx", lang),
                                        id="report-xlsx",
                                        color="success",
                                        className="me-2",
                                    ),
                                    dbc.Button(
                                        t("report.csv", lang),
                                        id="report-csv",
                                        color="secondary",
                                        outline=True,
                                        className="me-2",
                                    ),
                                    dbc.Button(
                                        t("report.print", lang),
                                        id="report-print",
                                        color="secondary",
                                        outline=True,
                                        className="me-2",
                                    ),
                                    html.A(
                                        t("report.link", lang),
                                        id="report-link",
                                        href=path("/reports"),
                                    ),
                                ],
                                className="ms-auto align-self-end",
                                width="auto",
                            ),
                        ],
                        className="g-4",
                    )
                ),
                className="mb-3 d-print-none",
            ),
            html.Div(id="report-message"),
            dcc.Store(id="report-saved", data=0),
            dcc.Store(id="report-tables-drawn", data=0),
            dcc.Loading(html.Div(id="report-body"), type="dot"),
            _follow_up_editor(lang),
        ],
        fluid=True,
        className="report pb-5",
    )


dash.register_page(
    "reports",
    path="/reports",
    layout=layout,
    title=t("screen.reports"),
    screen_order=75,
    title_key="screen.reports",
    about_key="screen.reports.about",
)


def _choice(period: str, anchor: str | None, end: str | None) -> tuple[date, date | None]:
    return period_asked(period, anchor, end, context().business_day())


@callback(
    Output("report-body", "children"),
    Output("report-message", "children"),
    Output("report-link", "href"),
    Output("report-end-box", "className"),
    Output("report-fu-rating", "options"),
    Output("report-follow-up", "className"),
    Input("report-period", "value"),
    Input("report-date", "date"),
    Input("report-end", "date"),
    Input("report-by", "value"),
    Input("report-saved", "data"),
    State("report-lang", "data"),
)
def show(
    period: str, anchor: str | None, end: str | None, group: str, _saved: int | None, lang: str
) -> tuple[Any, ...]:
    auth.require("manager")
    ctx = context()
    first, last = _choice(period, anchor, end)
    end_box = "" if period == "custom" else "d-none"
    query = {"period": period, "date": first.isoformat(), "by": group, "lang": lang}
    if last:
        query["end"] = last.isoformat()
    search = path("/reports") + "?" + urlencode(query)
    try:
        report = reporting.build(ctx, period, first, last, group, lang)
    except errors.HallqError as exc:
        message = dbc.Alert(exc.message(lang), color="warning")
        return no_update, message, search, end_box, no_update, no_update
    editor = "mt-2 d-print-none" + ("" if report.bad else " d-none")
    choices = follow_up_choices(ctx, report, lang)
    return draw(ctx, report, lang), None, search, end_box, choices, editor


def _fmt(value: Any, share: bool = False) -> str:
    if value is None:
        return "—"
    if share:
        return f"{value:.1%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


Tables = dict[str, dict[str, Any]]
"""The report's tables as data (``report-tables``), each drawn in the browser into its box by
``assets/report-tables.js``: a year's report holds a few thousand cells, and a Dash component
per cell took the browser many seconds to draw (issue 11); as data it draws at once. Every cell
is set as text, never as markup."""


def _table(
    heads: list[str], rows: list[list[Any]], shares: set[int], table_id: str, tables: Tables
) -> Any:
    """A table of the report: its box on the page, its cells into ``tables``."""
    total = table_id.endswith("main")
    tables[table_id] = {
        "heads": heads,
        "rows": [[_fmt(v, i in shares) for i, v in enumerate(row)] for row in rows],
        "rowClass": ["fw-bold" if total and n == len(rows) - 1 else "" for n in range(len(rows))],
        "hover": True,
    }
    return _box(table_id)


def _box(table_id: str) -> Any:
    return html.Div(id=f"{table_id}-box", className="table-responsive report-table")


def draw(ctx: Any, report: reporting.Report, lang: str) -> Any:
    """The report on the page: summary, the table by group, rankings, bad ratings."""
    hall = ctx.config.hall.name(lang)
    heading = reporting.title(report.period, report.start, report.end, lang)
    f = report.total
    if not (f.issued or f.called or report.lines or report.bookings):
        return [html.H2(f"{hall} · {heading}", className="h4"), html.P(t("report.no_data", lang))]
    summary = [
        ("issued", str(f.issued)),
        ("handled", str(f.handled)),
        ("finished", str(f.finished)),
        ("wait_mean", _fmt(None if f.wait_mean is None else round(f.wait_mean, 1))),
        ("wait_p90", _fmt(f.wait_p90)),
        ("within_target", _fmt(f.within_target_share, True)),
        ("service_mean", _fmt(None if f.service_mean is None else round(f.service_mean, 1))),
        ("no_show_rate", _fmt(f.no_show_rate, True)),
        ("rating", _fmt(None if f.rating_mean is None else round(f.rating_mean, 2))),
        ("bad", str(f.bad_ratings)),
    ]
    shares_main = _share_columns(reporting.headings(report.group, lang), lang)
    tables = reporting.sheets(ctx, report, lang)
    names = list(tables)
    heads, rows = tables[names[0]]
    ranking_heads, window_rows = tables[names[1]]
    _, clerk_rows = tables[names[2]]
    ranking_shares = _share_columns(ranking_heads, lang)
    drawn: Tables = {}
    return [
        html.H2(f"{hall} · {heading}", className="h4", id="report-heading"),
        html.P(
            f"{report.start.isoformat()} — {report.end.isoformat()}",
            className="text-muted",
        ),
        dbc.Row(
            [
                dbc.Col(
                    html.Div(
                        [
                            html.Div(t(f"report.col.{key}", lang), className="kpi-label"),
                            html.Div(value, className="report-figure", id=f"report-sum-{key}"),
                        ],
                        className="report-tile",
                    ),
                    xs=4,
                    md=True,
                )
                for key, value in summary
            ],
            className="g-2 mb-4",
        ),
        html.H3(names[0] + " · " + t(f"report.group.{report.group}", lang), className="h5"),
        _table(heads, rows, shares_main, "report-main", drawn),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.H3(t("report.ranking.windows", lang), className="h5"),
                        _table(
                            ranking_heads, window_rows[:10], ranking_shares, "report-rank-w", drawn
                        ),
                    ],
                    lg=6,
                ),
                dbc.Col(
                    [
                        html.H3(t("report.ranking.clerks", lang), className="h5"),
                        _table(
                            ranking_heads, clerk_rows[:10], ranking_shares, "report-rank-c", drawn
                        ),
                    ],
                    lg=6,
                ),
            ],
            className="mt-4",
        ),
        html.P(t("report.ranking.note", lang), className="small text-muted"),
        html.H3(t("report.bad", lang), className="h5 mt-4"),
        bad_list(ctx, report, lang, drawn),
        *_bookings(tables, lang, drawn),
        dcc.Store(id="report-tables", data=drawn),
    ]


def _bookings(tables: dict[str, Any], lang: str, drawn: Tables) -> list[Any]:
    """The bookings per matter and slot (queues.read.booking_figures), when the period has any:
    each matter's total in bold, and the total of all."""
    name = t("checkin.report.heading", lang)
    if name not in tables:
        return []
    heads, rows = tables[name]
    box = _table(heads, rows, _share_columns(heads, lang), "report-bookings", drawn)
    drawn["report-bookings"]["rowClass"] = [
        "fw-bold" if row[1] in ("", t("checkin.report.total", lang)) else "" for row in rows
    ]
    return [html.H3(name, className="h5 mt-4", id="report-bookings-heading"), box]


def _share_columns(heads: list[str], lang: str) -> set[int]:
    shares = {t(f"report.col.{c}", lang) for c in reporting.SHARES}
    return {i for i, h in enumerate(heads) if h in shares}


def bad_list(ctx: Any, report: reporting.Report, lang: str, tables: Tables) -> Any:
    """Each bad rating with its follow-up, as text (a year's list draws at once); the editor
    beneath the report (:func:`_follow_up_editor`) sets a rating's follow-up and note."""
    if not report.bad:
        return html.P(t("report.no_bad", lang), id="report-no-bad")
    names = {s.code: s.name(lang) for s in ctx.config.services}
    heads = [
        t(f"report.col.{c}", lang)
        for c in ("day", "number", "service_name", "window", "clerk", "score_given", "comment")
    ] + [t("report.col.follow_up", lang), t("report.col.note", lang)]
    tables["report-bad"] = {
        "heads": heads,
        "rows": [
            [
                b.day.isoformat(),
                b.number,
                names.get(b.service, b.service),
                str(b.window or ""),
                b.clerk,
                "★" * b.score,
                b.comment or "",
                t(f"follow_up.{b.follow_up}", lang),
                b.note or "",
            ]
            for b in report.bad
        ],
        "rowClass": ["" if b.follow_up == "resolved" else "table-warning" for b in report.bad],
        "columnClass": ["", "fw-semibold"],
        "hover": False,
    }
    return _box("report-bad")


def follow_up_choices(ctx: Any, report: reporting.Report, lang: str) -> list[dict[str, str]]:
    """The bad ratings as the editor offers them: number, day, service, score, and the state
    of those not yet resolved."""
    names = {s.code: s.name(lang) for s in ctx.config.services}
    return [
        {
            "label": f"{b.number} · {b.day.isoformat()} · {names.get(b.service, b.service)} · "
            + "★" * b.score
            + ("" if b.follow_up == "resolved" else f" · {t(f'follow_up.{b.follow_up}', lang)}"),
            "value": str(b.id),
        }
        for b in report.bad
    ]


def _follow_up_editor(lang: str) -> Any:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H4(t("report.follow_up.title", lang), className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(
                                    t("report.follow_up.rating", lang), html_for="report-fu-rating"
                                ),
                                dbc.Select(id="report-fu-rating", options=[], value=None),
                            ],
                            md=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(
                                    t("report.col.follow_up", lang), html_for="report-fu-state"
                                ),
                                dbc.Select(
                                    id="report-fu-state",
                                    options=[
                                        {"label": t(f"follow_up.{s}", lang), "value": s}
                                        for s in FollowUp
                                    ],
                                    value=None,
                                ),
                            ],
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(t("report.col.note", lang), html_for="report-fu-note"),
                                dbc.Input(id="report-fu-note", value="", maxLength=2000),
                            ],
                            md=4,
                        ),
                        dbc.Col(
                            [
                                dbc.Button(
                                    t("report.save", lang),
                                    id="report-fu-save",
                                    color="primary",
                                    n_clicks=0,
                                ),
                                html.Span(
                                    id="report-fu-message", className="ms-2 small", role="status"
                                ),
                            ],
                            md=2,
                            className="align-self-end",
                        ),
                    ],
                    className="g-2",
                ),
            ]
        ),
        className="mt-2 d-print-none d-none",
        id="report-follow-up",
    )


@callback(
    Output("report-fu-state", "value"),
    Output("report-fu-note", "value"),
    Output("report-fu-message", "children", allow_duplicate=True),
    Input("report-fu-rating", "value"),
    prevent_initial_call=True,
)
def pick_rating(rating: str | None) -> tuple[Any, Any, Any]:
    """The chosen rating's follow-up and note as saved, to change."""
    auth.require("manager")
    if not rating:
        return None, "", ""
    found = reporting.follow_up_of(context(), int(rating))
    if found is None:
        return None, "", ""
    return found[0], found[1] or "", ""


@callback(
    Output("report-fu-message", "children"),
    Output("report-saved", "data"),
    Input("report-fu-save", "n_clicks"),
    State("report-fu-rating", "value"),
    State("report-fu-state", "value"),
    State("report-fu-note", "value"),
    State("report-saved", "data"),
    State("report-lang", "data"),
    prevent_initial_call=True,
)
def save_follow_up(
    n: int,
    rating: str | None,
    state: str | None,
    note: str | None,
    saved: int | None,
    lang: str,
) -> tuple[Any, Any]:
    """Saves the chosen rating's follow-up (checked by the input gate and the use case) and
    draws the list again."""
    user = auth.require("manager")
    if not n:
        return no_update, no_update
    if not rating or not state:
        return t("report.follow_up.choose", lang), no_update
    try:
        services.follow_up(context(), int(rating), state, note or "", user.actor)
    except errors.HallqError as exc:
        return exc.message(lang), no_update
    return t("report.saved", lang), (saved or 0) + 1


@callback(
    Output("report-download", "data"),
    Input("report-xlsx", "n_clicks"),
    Input("report-csv", "n_clicks"),
    State("report-period", "value"),
    State("report-date", "date"),
    State("report-end", "date"),
    State("report-by", "value"),
    State("report-lang", "data"),
    prevent_initial_call=True,
)
def export(
    _xlsx: int | None,
    _csv: int | None,
    period: str,
    anchor: str | None,
    end: str | None,
    group: str,
    lang: str,
) -> Any:
    auth.require("manager")
    ctx = context()
    first, last = _choice(period, anchor, end)
    try:
        report = reporting.build(ctx, period, first, last, group, lang)
    except errors.HallqError:
        return no_update
    name = f"hallq-{report.start.isoformat()}-{report.end.isoformat()}-{group}"
    if dash.ctx.triggered_id == "report-csv":
        return dcc.send_bytes(reporting.to_csv(ctx, report, lang), f"{name}.csv")
    return dcc.send_bytes(reporting.to_xlsx(ctx, report, lang), f"{name}.xlsx")


clientside_callback(
    ClientsideFunction("hallq", "drawTables"),
    Output("report-tables-drawn", "data"),
    Input("report-tables", "data"),
)

clientside_callback(
    "function (n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output("report-print", "className"),
    Input("report-print", "n_clicks"),
    prevent_initial_call=True,
)
