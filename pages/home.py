"""The start page: what this hall is, and a link to every screen that exists."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.screens import lang_switch, screen_card, screens
from queues.hall.config import HallConfig
from queues.read import counters
from queues.text.directions import floor_words, window_ranges
from queues.text.i18n import listing, t, weekdays
from web.current import api_base, context, lang_of, path

dash.register_page(
    __name__,
    path="/",
    title=t("app.title"),
    screen_order=0,
    title_key="screen.home",
    about_key="screen.home.about",
)


def zone_table(cfg: HallConfig, lang: str) -> dbc.Table:
    rows = []
    for zone in cfg.zones:
        windows = [w.id for w in cfg.windows if w.zone == zone.code]
        names = [s.name(lang) for s in cfg.services if s.zone == zone.code]
        rows.append(
            html.Tr(
                [
                    html.Td(zone.name(lang), className="fw-semibold text-nowrap"),
                    html.Td(floor_words(zone.floor, lang), className="text-nowrap"),
                    html.Td(window_ranges(windows, lang), className="text-nowrap"),
                    html.Td(listing(names, lang)),
                    html.Td(
                        html.A(path(f"/display/{zone.code}"), href=path(f"/display/{zone.code}"))
                    ),
                ]
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"home.col.{c}", lang))
                for c in ("zone", "floor", "windows", "services", "display")
            ]
        )
    )
    return dbc.Table([head, html.Tbody(rows)], id="home-zones", bordered=False, hover=True)


def layout(lang: str | None = None, **_: str) -> html.Div:
    lang = lang_of(lang)
    ctx = context()
    cfg = ctx.config
    hours = cfg.hours
    active_windows = sum(1 for w in counters.windows(ctx))
    facts = [
        t("home.zones", lang, count=len(cfg.zones)),
        t("home.services", lang, count=len(cfg.services)),
        t("home.windows", lang, count=active_windows),
        f"{weekdays(hours.days, lang)} · "
        + t("home.hours", lang, open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}"),
    ]
    cards = [screen_card(p, lang) for p in screens() if p["path"] != "/"]
    screen_section = [html.H2(t("home.screens", lang), className="h3 mt-4"), dbc.Row(cards)]
    return dbc.Container(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.P(t("app.title", lang), className="text-muted mb-1"),
                            html.H1(
                                cfg.hall.name(lang), id="home-hall-name", className="display-5"
                            ),
                        ]
                    ),
                    lang_switch("/", lang, id="home-lang"),
                ],
                className="d-flex justify-content-between align-items-start pt-4",
            ),
            html.P(t("home.lead", lang), className="lead"),
            html.Ul(
                [html.Li(f) for f in facts], className="list-inline hallq-facts", id="home-facts"
            ),
            html.Div(screen_section if cards else [], id="home-screens"),
            html.H2(t("home.zones.heading", lang), className="h3 mt-4"),
            zone_table(ctx.config, lang),
            html.H2(t("home.api", lang), className="h3 mt-4"),
            html.Ul(
                [
                    html.Li(html.A(t("home.api.openapi", lang), href=f"{api_base()}/openapi.json")),
                    html.Li(html.A(t("home.api.health", lang), href=path("/healthz"))),
                ],
                id="home-api",
            ),
        ],
        className="hallq-home pb-5",
    )
