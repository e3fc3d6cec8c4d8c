"""The start page: what this hall is, and a link to every screen that exists."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.runtime import context, lang_of
from components.screens import lang_switch, screen_card, screens
from queues import views
from queues.i18n import t, weekdays

dash.register_page(
    __name__,
    path="/",
    title=t("app.title"),
    screen_order=0,
    title_key="screen.home",
    about_key="screen.home.about",
)


def layout(lang: str | None = None, **_: str) -> html.Div:
    lang = lang_of(lang)
    ctx = context()
    cfg = ctx.config
    hours = cfg.hours
    active_windows = sum(1 for w in views.windows(ctx))
    facts = [
        t("home.zones", lang, count=len(cfg.zones)),
        t("home.services", lang, count=len(cfg.services)),
        t("home.windows", lang, count=active_windows),
        f"{weekdays(hours.days, lang)} · "
        + t("home.hours", lang, open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}"),
    ]
    cards = [screen_card(p, lang) for p in screens() if p["path"] != "/"]
    return dbc.Container(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.P(t("app.title", lang), className="text-muted mb-1"),
                            html.H1(cfg.hall.name(lang), id="home-hall-name", className="display-5"),
                        ]
                    ),
                    lang_switch("/", lang, id="home-lang"),
                ],
                className="d-flex justify-content-between align-items-start pt-4",
            ),
            html.P(t("home.lead", lang), className="lead"),
            html.Ul([html.Li(f) for f in facts], className="list-inline hallq-facts", id="home-facts"),
            html.H2(t("home.screens", lang), className="h3 mt-4"),
            dbc.Row(cards, id="home-screens") if cards else html.Div(id="home-screens"),
            html.H2(t("home.api", lang), className="h3 mt-4"),
            html.Ul(
                [
                    html.Li(html.A(t("home.api.openapi", lang), href="/api/v1/openapi.json")),
                    html.Li(html.A(t("home.api.health", lang), href="/healthz")),
                ],
                id="home-api",
            ),
        ],
        className="hallq-home pb-5",
    )
