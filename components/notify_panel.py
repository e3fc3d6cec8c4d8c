"""Text messages on the staff page: the channels failing to send (a gateway down or refusing),
and today's texts given up, like the print jobs that failed beside them. Numbers masked."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from queues import notices
from queues.context import Context
from queues.text.i18n import t


def section(lang: str) -> list[Any]:
    """The heading and the panel (drawn by the staff page's callback)."""
    return [
        html.H2(t("staff.notify", lang), className="h5 mt-4"),
        html.Div(id="staff-notify"),
    ]


def panel(ctx: Context, lang: str, technical: bool = False) -> list[Any]:
    """What is wrong with the texts now; the gateway's own words for an administrator."""
    failing = notices.failing_channels(ctx)
    failed = notices.failed_today(ctx)
    shown: list[Any] = []
    for f in failing:
        channel = f.channel or t("staff.notify.channel_default", lang)
        words: list[Any] = [
            html.Div(t("staff.notify.channel_row", lang, channel=channel, count=f.waiting))
        ]
        if technical and f.error:
            words.append(html.Div(f.error, className="small"))
        shown.append(dbc.Alert(words, color="danger", className="py-2 mb-2 staff-notify-failing"))
    if not failing:
        shown.append(html.P(t("staff.notify.none_failing", lang), className="text-muted mb-2"))
    shown.append(html.H3(t("staff.notify.failed", lang), className="h6 mt-2"))
    if not failed:
        shown.append(html.P(t("staff.notify.no_failed", lang), className="text-muted"))
        return shown
    heads = ["staff.col.kind", "staff.col.ticket", "staff.col.phone", "staff.col.attempts"]
    heads.append("staff.col.reason")
    rows = [
        html.Tr(
            [
                html.Td(t(f"notify.kind.{n.kind}", lang)),
                html.Td(n.number or ""),
                html.Td(n.phone),
                html.Td(n.attempts),
                html.Td(n.error if technical else "", className="small"),
            ]
        )
        for n in failed
    ]
    shown.append(
        dbc.Table(
            [html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])), html.Tbody(rows)],
            size="sm",
            hover=True,
            id="staff-notify-failed-table",
        )
    )
    return shown
