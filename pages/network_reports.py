"""Reports across halls and the ranking of halls (部门分大厅管理考核), for the network's managers.

The same periods as a hall's reports (day, week, month, quarter, year, custom), by hall, by
service across halls or by level, with the same exports (Excel, CSV). The address holds the
choice (``/network/reports?period=year&date=2026-01-01&by=level``). Figures and ranking are
:mod:`queues.read.network`'s.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
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

from components.screens import (
    choice_buttons,
    date_or,
    manager_bar,
    network_managers_only,
    period_asked,
    period_fields,
    with_lang,
)
from queues import errors
from queues.inputs import DateInput, Lang
from queues.read import network as net
from queues.read import reports as reporting
from queues.text.i18n import t
from web import auth, boundary
from web.current import lang_of, network

HERE = "/network/reports"
boundary.accepts(
    {
        "net-report-period.value": Literal[reporting.PERIODS] | None,  # type: ignore[name-defined]
        "net-report-date.date": DateInput,
        "net-report-end.date": DateInput,
        "net-report-by.value": Literal[net.GROUPS] | None,  # type: ignore[valid-type]
        "net-report-lang.data": Lang,
    }
)


def _today() -> date:
    return network().context().business_day()


def _choices(lang: str, period: str, anchor: date, last: date, group: str) -> Any:
    groups = [{"label": t(f"network.group.{g}", lang), "value": g} for g in net.GROUPS]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    *period_fields("net-report", reporting.PERIODS, period, anchor, last, lang),
                    dbc.Col(
                        [
                            dbc.Label(t("report.by", lang)),
                            choice_buttons("net-report-by", groups, group, "secondary"),
                        ],
                        width="auto",
                    ),
                    dbc.Col(
                        [
                            dbc.Button(
                                t("report.xlsx", lang),
                                id="net-report-xlsx",
                                color="success",
                                className="me-2",
                            ),
                            dbc.Button(
                                t("report.csv", lang),
                                id="net-report-csv",
                                color="secondary",
                                outline=True,
                                className="me-2",
                            ),
                            html.A(t("report.link", lang), id="net-report-link", href=HERE),
                        ],
                        className="ms-auto align-self-end",
                        width="auto",
                    ),
                ],
                className="g-4",
            )
        ),
        className="mb-3 d-print-none",
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
    here = HERE + "?" + urlencode({k: v for k, v in asked.items() if v})
    user, instead = network_managers_only("net-report", here, lang)
    if user is None:
        return instead
    today = _today()
    return dbc.Container(
        [
            dcc.Store(id="net-report-lang", data=lang),
            dcc.Download(id="net-report-download"),
            dcc.Store(id="net-report-tables-drawn", data=0),
            manager_bar(
                t("network.reports.title", lang),
                HERE,
                lang,
                dbc.Button(
                    t("screen.network", lang),
                    href=with_lang("/network", lang),
                    color="link",
                    id="net-report-to-network",
                ),
            ),
            _choices(
                lang,
                period if period in reporting.PERIODS else "month",
                date_or(date, today),
                date_or(end, today),
                by if by in net.GROUPS else "hall",
            ),
            html.Div(id="net-report-message"),
            dcc.Loading(html.Div(id="net-report-body"), type="dot"),
        ],
        fluid=True,
        className="report pb-5",
    )


dash.register_page(
    "network_reports",
    path=HERE,
    layout=layout,
    title=t("screen.network_reports"),
    screen_order=76,
    title_key="screen.network_reports",
    about_key="screen.network_reports.about",
)


def _fmt(value: Any, share: bool = False) -> str:
    if value is None:
        return "—"
    if share:
        return f"{value:.1%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _box(table_id: str) -> Any:
    return html.Div(id=f"{table_id}-box", className="table-responsive report-table")


def draw(report: net.NetworkReport, lang: str) -> Any:
    """The report on the page: its table by the chosen group, then each level's ranking; the
    tables drawn in the browser from data (assets/report-tables.js), as a hall's report."""
    heading = reporting.title(report.period, report.start, report.end, lang)
    f = report.total
    if not (f.issued or f.called):
        return [html.H2(heading, className="h4"), html.P(t("report.no_data", lang))]
    shares = {t(f"report.col.{c}", lang) for c in (*reporting.SHARES, *net.RANK_SHARES)}
    tables: dict[str, Any] = {}
    body: list[Any] = [
        html.H2(heading, className="h4", id="net-report-heading"),
        html.P(
            f"{report.start.isoformat()} — {report.end.isoformat()}",
            className="text-muted",
        ),
    ]
    for n, (name, (heads, rows)) in enumerate(net.sheets(report, lang).items()):
        table_id = "net-report-main" if n == 0 else f"net-report-rank-{n}"
        columns = {i for i, h in enumerate(heads) if h in shares}
        tables[table_id] = {
            "heads": heads,
            "rows": [[_fmt(v, i in columns) for i, v in enumerate(row)] for row in rows],
            "rowClass": [
                "fw-bold" if n == 0 and i == len(rows) - 1 else "" for i in range(len(rows))
            ],
            "hover": True,
        }
        if n == 1:
            body.append(html.H3(t("network.ranking", lang), className="h5 mt-4"))
        body += [html.H3(name, className="h6" if n else "h5"), _box(table_id)]
        if n == 0 and report.group == "service":
            body.append(html.P(t("network.service_note", lang), className="small text-muted"))
    body.append(html.P(t("network.ranking.note", lang), className="small text-muted"))
    body.append(dcc.Store(id="net-report-tables", data=tables))
    return body


def _choice(period: str, anchor: str | None, end: str | None) -> tuple[date, date | None]:
    return period_asked(period, anchor, end, _today())


@callback(
    Output("net-report-body", "children"),
    Output("net-report-message", "children"),
    Output("net-report-link", "href"),
    Output("net-report-end-box", "className"),
    Input("net-report-period", "value"),
    Input("net-report-date", "date"),
    Input("net-report-end", "date"),
    Input("net-report-by", "value"),
    State("net-report-lang", "data"),
)
def show(
    period: str, anchor: str | None, end: str | None, group: str, lang: str
) -> tuple[Any, ...]:
    auth.require_network()
    first, last = _choice(period, anchor, end)
    end_box = "" if period == "custom" else "d-none"
    query = {"period": period, "date": first.isoformat(), "by": group, "lang": lang}
    if last:
        query["end"] = last.isoformat()
    search = HERE + "?" + urlencode(query)
    try:
        report = net.build(network(), period, first, last, group, lang)
    except errors.HallqError as exc:
        return no_update, dbc.Alert(exc.message(lang), color="warning"), search, end_box
    return draw(report, lang), None, search, end_box


@callback(
    Output("net-report-download", "data"),
    Input("net-report-xlsx", "n_clicks"),
    Input("net-report-csv", "n_clicks"),
    State("net-report-period", "value"),
    State("net-report-date", "date"),
    State("net-report-end", "date"),
    State("net-report-by", "value"),
    State("net-report-lang", "data"),
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
    auth.require_network()
    first, last = _choice(period, anchor, end)
    try:
        report = net.build(network(), period, first, last, group, lang)
    except errors.HallqError:
        return no_update
    name = f"hallq-network-{report.start.isoformat()}-{report.end.isoformat()}-{group}"
    if dash.ctx.triggered_id == "net-report-csv":
        return dcc.send_bytes(net.to_csv(report, lang), f"{name}.csv")
    return dcc.send_bytes(net.to_xlsx(report, lang), f"{name}.xlsx")


clientside_callback(
    ClientsideFunction("hallq", "drawTables"),
    Output("net-report-tables-drawn", "data"),
    Input("net-report-tables", "data"),
)
