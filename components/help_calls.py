"""Visitors asking for help at a kiosk (找工作人员): the open calls, each with its answer button.

Shown on the staff page; the dashboard lists the same calls among its alerts (kind ``help``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from queues.context import Context
from queues.read import alerts
from queues.text.i18n import t


def section(lang: str) -> list[Any]:
    """The heading, the list (drawn by the staff page's callback) and its five-second tick."""
    return [
        html.H2(t("staff.help.title", lang), className="h5"),
        dcc.Interval(id="staff-help-tick", interval=5_000),
        html.Div(id="staff-help", className="mb-4"),
    ]


def calls(ctx: Context, lang: str) -> Any:
    """The open calls for help, oldest first, each with 已到场处理."""
    shown = []
    for a in alerts.open_alerts(ctx):
        if a.kind != "help":
            continue
        since = ctx.local(a.opened_at).strftime("%H:%M")
        words = t("staff.help.row", lang, subject=a.subject, since=since, **a.detail)
        shown.append(
            dbc.Alert(
                [
                    html.Strong(words, className="me-3"),
                    dbc.Button(
                        t("staff.help.answer", lang),
                        id={"type": "staff-help-answer", "index": a.id},
                        n_clicks=0,
                        color="dark",
                        size="sm",
                    ),
                ],
                color="warning",
                className="py-2 mb-2 d-flex align-items-center staff-help-call",
            )
        )
    return shown or html.P(t("staff.help.none", lang), className="text-muted mb-0")
