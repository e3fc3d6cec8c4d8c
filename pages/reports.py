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
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from pydantic import Field, Strict

from components.screens import manager_bar, managers_only
from queues import errors, services
from queues.inputs import DateInput, Lang, Note
from queues.read import reports as reporting
from queues.read import rollups
from queues.rules.rating import FollowUp
from queues.text.i18n import t
from web import auth, boundary
from web.current import context, lang_of

GROUPS = rollups.GROUPS

boundary.accepts(
    {
        "report-period.value": Literal[reporting.PERIODS] | None,  # type: ignore[name-defined]
        "report-date.date": DateInput,
        "report-end.date": DateInput,
        "report-by.value": Literal[GROUPS] | None,  # type: ignore[valid-type]
        "report-lang.data": Lang,
        "report-follow.value": FollowUp | None,
        "report-note.value": Note | None,
        "report-save.id.rating": Annotated[int, Strict(), Field(ge=1, le=2**31)],
    }
)


def _date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


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
    anchor = _date(date, today)
    last = _date(end, today)
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
                            dbc.Col(
                                [
                                    dbc.Label(t("report.period", lang)),
                                    dbc.RadioItems(
                                        id="report-period",
                                        options=[
                                            {"label": t(f"report.period.{p}", lang), "value": p}
                                            for p in reporting.PERIODS
                                        ],
                                        value=period,
                                        inline=True,
                                        className="btn-group",
                                        inputClassName="btn-check",
                                        labelClassName="btn btn-outline-primary",
                                        labelCheckedClassName="active",
                                    ),
                                ],
                                width="auto",
                            ),
                            dbc.Col(
                                [
                                    dbc.Label(t("report.date", lang)),
                                    html.Div(
                                        [
                                            dcc.DatePickerSingle(
                                                id="report-date",
                                                date=anchor.isoformat(),
                                                display_format="YYYY-MM-DD",
                                                first_day_of_week=1,
                                            ),
                                            html.Span(
                                                [
                                                    html.Span(
                                                        t("report.end", lang), className="mx-2"
                                                    ),
                                                    dcc.DatePickerSingle(
                                                        id="report-end",
                                                        date=last.isoformat(),
                                                        display_format="YYYY-MM-DD",
                                                        first_day_of_week=1,
                                                    ),
                                                ],
                                                id="report-end-box",
                                                className="" if period == "custom" else "d-none",
                                            ),
                                        ],
                                        className="d-flex align-items-center",
                                    ),
                                ],
                                width="auto",
                            ),
                            dbc.Col(
                                [
                                    dbc.Label(t("report.by", lang)),
                                    dbc.RadioItems(
                                        id="report-by",
                                        options=[
                                            {"label": t(f"report.group.{g}", lang), "value": g}
                                            for g in GROUPS
                                        ],
                                        value=group,
                                        inline=True,
                                        className="btn-group",
                                        inputClassName="btn-check",
                                        labelClassName="btn btn-outline-secondary",
                                        labelCheckedClassName="active",
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
                                        href="/reports",
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
            dcc.Loading(html.Div(id="report-body"), type="dot"),
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
    today = context().business_day()
    first = _date(anchor, today)
    return first, (_date(end, today) if period == "custom" else None)


@callback(
    Output("report-body", "children"),
    Output("report-message", "children"),
    Output("report-link", "href"),
    Output("report-end-box", "className"),
    Input("report-period", "value"),
    Input("report-date", "date"),
    Input("report-end", "date"),
    Input("report-by", "value"),
    State("report-lang", "data"),
)
def show(
    period: str, anchor: str | None, end: str | None, group: str, lang: str
) -> tuple[Any, ...]:
    auth.require("manager")
    ctx = context()
    first, last = _choice(period, anchor, end)
    end_box = "" if period == "custom" else "d-none"
    query = {"period": period, "date": first.isoformat(), "by": group, "lang": lang}
    if last:
        query["end"] = last.isoformat()
    search = "/reports?" + urlencode(query)
    try:
        report = reporting.build(ctx, period, first, last, group, lang)
    except errors.HallqError as exc:
        return no_update, dbc.Alert(exc.message(lang), color="warning"), search, end_box
    return draw(ctx, report, lang), None, search, end_box


def _fmt(value: Any, share: bool = False) -> str:
    if value is None:
        return "—"
    if share:
        return f"{value:.1%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _table(heads: list[str], rows: list[list[Any]], shares: set[int], table_id: str) -> Any:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in heads])),
            html.Tbody(
                [
                    html.Tr(
                        [html.Td(_fmt(v, i in shares)) for i, v in enumerate(row)],
                        className="fw-bold"
                        if n == len(rows) - 1 and table_id.endswith("main")
                        else "",
                    )
                    for n, row in enumerate(rows)
                ]
            ),
        ],
        size="sm",
        hover=True,
        responsive=True,
        id=table_id,
    )


def draw(ctx: Any, report: reporting.Report, lang: str) -> Any:
    """The report on the page: summary, the table by group, rankings, bad ratings."""
    hall = ctx.config.hall.name(lang)
    heading = reporting.title(report.period, report.start, report.end, lang)
    f = report.total
    if not (f.issued or f.called or report.lines):
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
        _table(heads, rows, shares_main, "report-main"),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.H3(t("report.ranking.windows", lang), className="h5"),
                        _table(ranking_heads, window_rows[:10], ranking_shares, "report-rank-w"),
                    ],
                    lg=6,
                ),
                dbc.Col(
                    [
                        html.H3(t("report.ranking.clerks", lang), className="h5"),
                        _table(ranking_heads, clerk_rows[:10], ranking_shares, "report-rank-c"),
                    ],
                    lg=6,
                ),
            ],
            className="mt-4",
        ),
        html.P(t("report.ranking.note", lang), className="small text-muted"),
        html.H3(t("report.bad", lang), className="h5 mt-4"),
        bad_list(ctx, report, lang),
    ]


def _share_columns(heads: list[str], lang: str) -> set[int]:
    shares = {t(f"report.col.{c}", lang) for c in reporting.SHARES}
    return {i for i, h in enumerate(heads) if h in shares}


def bad_list(ctx: Any, report: reporting.Report, lang: str) -> Any:
    """Each bad rating with its follow-up: a manager sets the state and writes what was done."""
    if not report.bad:
        return html.P(t("report.no_bad", lang), id="report-no-bad")
    names = {s.code: s.name(lang) for s in ctx.config.services}
    rows = []
    for b in report.bad:
        rows.append(
            html.Tr(
                [
                    html.Td(b.day.isoformat()),
                    html.Td(b.number, className="fw-semibold"),
                    html.Td(names.get(b.service, b.service)),
                    html.Td(b.window or ""),
                    html.Td(b.clerk),
                    html.Td("★" * b.score),
                    html.Td(b.comment or ""),
                    html.Td(
                        dbc.Select(
                            id={"type": "report-follow", "rating": b.id},
                            options=[
                                {"label": t(f"follow_up.{s}", lang), "value": s} for s in FollowUp
                            ],
                            value=b.follow_up,
                            size="sm",
                        )
                    ),
                    html.Td(
                        dbc.Input(
                            id={"type": "report-note", "rating": b.id},
                            value=b.note or "",
                            size="sm",
                            maxLength=2000,
                        )
                    ),
                    html.Td(
                        [
                            dbc.Button(
                                t("report.save", lang),
                                id={"type": "report-save", "rating": b.id},
                                size="sm",
                                color="primary",
                                className="d-print-none",
                            ),
                            html.Span(
                                id={"type": "report-saved", "rating": b.id},
                                className="ms-2 small text-success",
                            ),
                        ],
                        className="text-nowrap",
                    ),
                ],
                className="" if b.follow_up == "resolved" else "table-warning",
            )
        )
    heads = [
        t(f"report.col.{c}", lang)
        for c in ("day", "number", "service_name", "window", "clerk", "score_given", "comment")
    ] + [t("report.col.follow_up", lang), t("report.col.note", lang), ""]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
        size="sm",
        responsive=True,
        id="report-bad",
    )


@callback(
    Output({"type": "report-saved", "rating": ALL}, "children"),
    Input({"type": "report-save", "rating": ALL}, "n_clicks"),
    State({"type": "report-follow", "rating": ALL}, "value"),
    State({"type": "report-note", "rating": ALL}, "value"),
    State({"type": "report-save", "rating": ALL}, "id"),
    State("report-lang", "data"),
    prevent_initial_call=True,
)
def save_follow_up(
    clicks: list[int | None],
    states: list[str],
    notes: list[str | None],
    ids: list[dict[str, Any]],
    lang: str,
) -> list[Any]:
    """Saves the row whose button was pressed; says so beside it."""
    user = auth.require("manager")
    trigger = dash.ctx.triggered_id
    out: list[Any] = [no_update] * len(ids)
    if not trigger or not any(clicks):
        return out
    for i, ident in enumerate(ids):
        if ident["rating"] != trigger["rating"] or not clicks[i]:
            continue
        try:
            services.follow_up(
                context(), int(ident["rating"]), states[i], notes[i] or "", user.actor
            )
        except errors.HallqError as exc:
            out[i] = exc.message(lang)
        else:
            out[i] = t("report.saved", lang)
    return out


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
    "function (n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output("report-print", "className"),
    Input("report-print", "n_clicks"),
    prevent_initial_call=True,
)
