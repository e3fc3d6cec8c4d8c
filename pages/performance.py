"""The window performance board (``/display/performance``): a lobby or back-office TV showing
every window's state, its work today (办理, 办结), its mean service time against what its services
are expected to take, this month's satisfaction and its place in the month's ranking (先进窗口).

Made for a 1920×1080 or 3840×2160 screen read from ten metres, sized to the screen as the
wallboard is (``--u``): eight windows at a time, the pages turning every few seconds. Live like the
wallboard: it polls the board version and redraws only when it moved, drawn once per version
however many screens show it. No visitor data; a clerk only as the hall file's
``[display] clerk`` allows. Every figure is :mod:`queues.read.performance`'s, which takes them
from :mod:`queues.read.figures`, the roll-ups and the reports' ranking.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from components import live
from queues import errors
from queues.read import boards, performance
from queues.text.i18n import t
from web.current import context

PAGE = "perf"
ROWS = 8
TURN_SECONDS = 12


def layout(**_: str) -> html.Div:
    ctx = context()
    cfg = ctx.config
    try:
        body = _draw()
    except errors.HallqError:
        body = []
    return html.Div(
        [
            *live.poller(PAGE),
            dcc.Store(id="perf-tz", data=cfg.hall.timezone),
            html.Header(
                [
                    html.Div(
                        [
                            html.Div(cfg.hall.name.zh, className="display-title"),
                            html.Div(cfg.hall.name.en, className="display-title-en"),
                        ]
                    ),
                    html.Div(
                        [
                            html.Div(t("perf.title", "zh"), className="perf-heading"),
                            html.Div(t("perf.title", "en"), className="perf-heading-en"),
                        ]
                    ),
                    html.Div(id="perf-clock", className="display-clock"),
                ],
                className="display-header",
            ),
            html.Main(body, id="perf-body", className="perf-main"),
            html.Footer(
                [
                    html.Span(t("perf.note", "zh")),
                    html.Span(t("perf.note", "en"), className="perf-note-en"),
                ],
                className="perf-footer",
            ),
        ],
        className="display perf",
    )


dash.register_page(
    "performance",
    path="/display/performance",
    layout=layout,
    title=t("screen.performance"),
    order=0,  # before /display/<zone>, which would take "performance" for a zone
    screen_order=22,
    title_key="screen.performance",
    about_key="screen.performance.about",
)


def _both(key: str, **kw: Any) -> list[Any]:
    return [html.Div(t(key, "zh", **kw)), html.Div(t(key, "en", **kw), className="perf-en")]


COLUMNS = ("window", "state", "clerk", "handled", "finished", "time", "rating", "place")


def _head(clerks: bool) -> html.Div:
    return html.Div(
        [
            html.Div(_both(f"perf.col.{c}"), className=f"perf-cell perf-{c}")
            for c in COLUMNS
            if clerks or c != "clerk"
        ],
        className="perf-row perf-head",
    )


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _row(w: performance.WindowPerformance, clerks: bool) -> html.Div:
    mean, expected = w.today.service_mean, w.expected_minutes
    slow = mean is not None and expected is not None and mean > expected
    rating = w.month.rating_mean
    cells = [
        html.Div(
            [
                html.Div(str(w.id), className="perf-window-id"),
                html.Div(
                    [html.Div(w.department_zh), html.Div(w.department_en, className="perf-en")],
                    className="perf-department",
                ),
            ],
            className="perf-cell perf-window",
        ),
        html.Div(
            [
                html.Div(t(f"window.{w.state}", "zh")),
                html.Div(t(f"window.{w.state}", "en"), className="perf-en"),
            ],
            className=f"perf-cell perf-state perf-state-{w.state}",
        ),
    ]
    if clerks:
        cells.append(html.Div(w.clerk or "", className="perf-cell perf-clerk"))
    cells += [
        html.Div(str(w.today.handled), className="perf-cell perf-handled"),
        html.Div(str(w.today.finished), className="perf-cell perf-finished"),
        html.Div(
            [
                html.Span(_minutes(mean), className="perf-mean"),
                html.Span(" / ", className="perf-slash"),
                html.Span(_minutes(expected), className="perf-expected"),
            ],
            className="perf-cell perf-time" + (" perf-slow" if slow else ""),
        ),
        html.Div(
            [
                html.Span("–" if rating is None else f"{rating:.2f}", className="perf-rating-mean"),
                *(
                    [
                        html.Span(
                            t("perf.ratings", "zh", count=w.month.rating_count),
                            className="perf-count",
                        )
                    ]
                    if w.month.rating_count
                    else []
                ),
            ],
            className="perf-cell perf-rating",
        ),
        html.Div(
            [
                html.Span("–" if w.place is None else str(w.place), className="perf-place-n"),
                *(
                    [html.Span(t("perf.first", "zh"), className="perf-first")]
                    if w.place is not None and w.place <= performance.FIRST_PLACES
                    else []
                ),
            ],
            className="perf-cell perf-place",
        ),
    ]
    return html.Div(cells, className="perf-row", id=f"perf-window-{w.id}")


def _draw() -> list[Any]:
    ctx = context()
    board = performance.board(ctx)
    clerks = ctx.config.display.clerk != "none"
    windows = board.windows
    pages = [windows[i : i + ROWS] for i in range(0, len(windows), ROWS)] or [[]]
    month = t("perf.month", "zh", year=board.month_start.year, month=board.month_start.month)
    return [
        html.Div(
            [
                _head(clerks),
                *[_row(w, clerks) for w in chunk],
                html.Div(
                    [
                        html.Span(month),
                        html.Span(
                            t("perf.page", "zh", page=i + 1, pages=len(pages)),
                            className="perf-page-n",
                        ),
                    ],
                    className="perf-page-foot",
                ),
            ],
            id={"type": "perf-page", "index": i},
            className="perf-page" if i == 0 else "perf-page perf-hidden",
        )
        for i, chunk in enumerate(pages)
    ]


@callback(
    Output("perf-body", "children"),
    Input(live.version_id(PAGE), "data"),
    prevent_initial_call=True,
)
def redraw(version: int | None) -> Any:
    """The board again when the hall's version moved (kept under the version the server reads,
    as the wallboard's)."""
    if version is None:
        return no_update
    ctx = context()
    try:
        current = boards.version(ctx)
        return live.drawn_once(ctx, f"perf:{current}", _draw)
    except errors.HallqError:
        return no_update


clientside_callback(
    f"""
    function(n, shown) {{
        const pages = shown.length;
        const page = Math.floor((n || 0) / {TURN_SECONDS}) % Math.max(pages, 1);
        return shown.map(function (_, i) {{
            return i === page ? "perf-page" : "perf-page perf-hidden";
        }});
    }}
    """,
    Output({"type": "perf-page", "index": ALL}, "className"),
    Input({"type": "live-tick", "page": PAGE}, "n_intervals"),
    State({"type": "perf-page", "index": ALL}, "className"),
)

clientside_callback(
    """
    function(n, timeZone) {
        return new Date().toLocaleTimeString("zh-CN", {
            hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: timeZone
        });
    }
    """,
    Output("perf-clock", "children"),
    Input({"type": "live-tick", "page": PAGE}, "n_intervals"),
    State("perf-tz", "data"),
)
