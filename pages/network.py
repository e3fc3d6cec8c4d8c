"""The network page: every hall of the district live on one screen, worst first, for the
network's managers. Each row opens that hall's dashboard (``/h/<hall>/dashboard``).

Refreshes every five seconds as the dashboard does, redrawing only what changed. The figures
and the order are :mod:`queues.read.network`'s.
"""

from __future__ import annotations

from typing import Annotated, Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from pydantic import Field, StringConstraints

from components import live
from components.screens import manager_bar, network_managers_only, with_lang
from queues import errors
from queues.inputs import Lang
from queues.network import Network
from queues.read import network as net
from queues.text.i18n import t
from web import auth, boundary
from web.current import lang_of, network

PAGE = "net"
REFRESH_MS = 5_000
boundary.accepts(
    {
        "net-lang.data": Lang,
        "net-drawn.data": Annotated[
            list[Annotated[str, StringConstraints(max_length=64)] | None], Field(max_length=4)
        ]
        | None,
    }
)
LINK = "stretched-link fw-semibold text-reset text-decoration-underline"
"""A hall's name opens its dashboard; the whole row is the link, in the row's own text colour
(the link blue is too faint on a red or amber row)."""
COLUMNS = (
    "hall",
    "level",
    "waiting",
    "worst",
    "worst_service",
    "windows",
    "alerts",
    "served",
    "ratings",
    "rating_mean",
    "bad",
)


def dashboard_of(code: str, lang: str) -> str:
    """The address of a hall's dashboard."""
    return with_lang(f"/h/{code}/dashboard", lang)


def layout(lang: str | None = None, **_: str) -> Any:
    lang = lang_of(lang)
    user, instead = network_managers_only(PAGE, "/network", lang)
    if user is None:
        return instead
    return dbc.Container(
        [
            dcc.Interval(id="net-tick", interval=REFRESH_MS),
            dcc.Store(id="net-lang", data=lang),
            dcc.Store(id="net-drawn", data=None),
            manager_bar(
                t("network.title", lang),
                "/network",
                lang,
                dbc.Button(
                    t("screen.network_reports", lang),
                    href=with_lang("/network/reports", lang),
                    color="link",
                    id="net-to-reports",
                ),
                html.Span(id="net-updated", className="text-muted"),
            ),
            html.Div(id="net-halls"),
            html.P(t("network.order", lang), className="small text-muted mt-2"),
        ],
        fluid=True,
        className="network",
    )


dash.register_page(
    "network",
    path="/network",
    layout=layout,
    title=t("screen.network"),
    screen_order=72,
    title_key="screen.network",
    about_key="screen.network.about",
)


def _minutes(x: float) -> str:
    return str(int(x))


def hall_table(found: list[net.HallNow], nw: Network, lang: str) -> dbc.Table:
    """The halls, worst first: a hall past its target in red, one with open alerts in amber."""
    rows = []
    for h in found:
        name = net.hall_name(nw, h.code, lang)
        f = h.today
        worst = (
            t("network.worst", lang, minutes=_minutes(h.worst_wait), target=h.worst_target)
            if h.worst_wait is not None
            else "—"
        )
        own = nw.context(h.code).config.service(h.worst_service or "")
        service = own.name(lang) if own else (h.worst_service or "—")
        tone = "table-danger" if h.strain > 1 else "table-warning" if h.alerts else ""
        rows.append(
            html.Tr(
                [
                    html.Td(
                        html.A(
                            name,
                            href=dashboard_of(h.code, lang),
                            className=LINK,
                            title=t("network.open", lang, hall=name),
                        )
                    ),
                    html.Td(t(f"network.level.{h.level}", lang)),
                    html.Td(str(h.waiting)),
                    html.Td(worst),
                    html.Td(service),
                    html.Td(t("network.windows", lang, open=h.windows_open, total=h.windows_total)),
                    html.Td(str(h.alerts)),
                    html.Td(str(f.handled)),
                    html.Td(str(f.rating_count)),
                    html.Td("—" if f.rating_mean is None else f"{f.rating_mean:.2f}"),
                    html.Td(str(f.bad_ratings)),
                ],
                id={"type": "net-hall", "code": h.code},
                className=f"position-relative {tone}".strip(),
            )
        )
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"network.col.{c}", lang)) for c in COLUMNS])),
            html.Tbody(rows),
        ],
        size="sm",
        hover=True,
        responsive=True,
        id="net-table",
    )


def draw(nw: Network, lang: str) -> tuple[Any, ...]:
    """What the five-second refresh draws (the benchmark times :func:`net.live`)."""
    try:
        found = net.live(nw)
    except errors.HallqError as exc:
        return dbc.Alert(exc.message(lang), color="danger"), no_update
    moment = nw.context().local()
    return hall_table(found, nw, lang), t("dash.updated", lang, time=moment.strftime("%H:%M:%S"))


@callback(
    Output("net-halls", "children"),
    Output("net-updated", "children"),
    Output("net-drawn", "data"),
    Input("net-tick", "n_intervals"),
    State("net-lang", "data"),
    State("net-drawn", "data"),
)
def refresh(_n: int | None, lang: str, drawn: list[str | None] | None) -> tuple[Any, ...]:
    auth.require_network()
    return live.only_changed(draw(network(), lang), drawn)
