"""The lobby wallboards: the hall's (``/display``) and each zone's (``/display/<zone>``).

Made for a 1920×1080 screen read from ten metres: the newest call very large, flashing for a few
seconds and spoken (a chime, Mandarin, then English), the recent calls with their windows, every
queue with someone in it and its expected wait, a clock, and the hall's notice scrolling along
the bottom. ``?mute=1`` silences a screen; ``?english=0`` speaks Mandarin only.

The screen polls the board version every second and redraws only when it moved; what a version
looks like is drawn once per process, however many screens show it.
"""

from __future__ import annotations

from typing import Any, Literal

import dash
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from components import live
from components.announce import announcement
from queues import errors
from queues.context import Context
from queues.hall.config import HallConfig
from queues.inputs import Code
from queues.read import boards
from queues.text.directions import to_window
from queues.text.i18n import t
from web import boundary
from web.current import context

boundary.accepts({"display-zone.data": Code | Literal[""]})

CALLS_SHOWN = 7
QUEUES_SHOWN = 4
PAGE = "display"


def layout(
    zone: str | None = None, mute: str | None = None, english: str | None = None, **_: str
) -> html.Div:
    ctx = context()
    cfg = ctx.config
    if zone is not None and cfg.zone(zone) is None:
        return html.Div(
            html.H1(
                t("display.unknown_zone", "zh", zone=zone)
                + " · "
                + t("display.unknown_zone", "en", zone=zone)
            ),
            className="display display-error",
        )
    speak_english = cfg.display.english if english is None else english not in ("0", "false", "no")
    title_zh = cfg.zone(zone).name.zh if zone else cfg.hall.name.zh
    title_en = cfg.zone(zone).name.en if zone else cfg.hall.name.en
    try:
        current, calls, queues, say = _draw(ctx, zone)
    except errors.HallqError:
        current, calls, queues, say = [], [], [], []
    notice = cfg.display.notice
    return html.Div(
        [
            *live.poller(PAGE, zone),
            dcc.Store(id="display-zone", data=zone or ""),
            dcc.Store(id="display-tz", data=cfg.hall.timezone),
            dcc.Store(
                id="display-options",
                data={
                    "mute": mute in ("1", "true", "yes"),
                    "english": speak_english,
                    "chime": dash.get_asset_url("voice/chime.ogg"),
                },
            ),
            dcc.Store(id="display-say", data=say),
            html.Div(id="display-spoken", className="d-none"),
            html.Header(
                [
                    html.Div(
                        [
                            html.Div(title_zh, className="display-title"),
                            html.Div(title_en, className="display-title-en"),
                        ]
                    ),
                    html.Div(id="display-clock", className="display-clock"),
                ],
                className="display-header",
            ),
            html.Main(
                [
                    html.Section(
                        [
                            html.Div(
                                [t("display.calling", "zh"), html.Span(t("display.calling", "en"))],
                                className="display-label",
                            ),
                            html.Div(current, id="display-current"),
                            html.Div(calls, id="display-calls", className="display-calls"),
                        ],
                        className="display-left",
                    ),
                    html.Section(
                        [
                            html.Div(
                                [t("display.queues", "zh"), html.Span(t("display.queues", "en"))],
                                className="display-label",
                            ),
                            html.Div(
                                html.Div(queues, id="display-queues", className="display-queues"),
                                className="display-queues-box",
                            ),
                        ],
                        className="display-right",
                    ),
                ],
                className="display-main",
            ),
            html.Footer(
                html.Div(
                    t("display.notice", "zh", zh=notice.zh, en=notice.en) if notice else "",
                    className="display-notice-text",
                ),
                className="display-notice",
            ),
        ],
        className="display",
    )


dash.register_page(
    "display",
    path="/display",
    layout=layout,
    title=t("screen.display"),
    screen_order=20,
    title_key="screen.display",
    about_key="screen.display.about",
)
dash.register_page(
    "display-zone", path_template="/display/<zone>", layout=layout, title="hallq", order=2
)


def _draw(ctx: Context, zone: str | None) -> tuple[Any, Any, Any, list[dict[str, object]]]:
    board = boards.board(ctx, zone)
    cfg = ctx.config
    calling = board.calling[:CALLS_SHOWN]
    say = [
        announcement(
            c.number,
            c.window,
            f"{c.number}@{c.window}@{c.called_at.isoformat()}",
            where=to_window(cfg, c.window),
        ).as_dict()
        for c in calling
    ]
    if calling:
        first = calling[0]
        where = to_window(cfg, first.window)
        current: Any = html.Div(
            [
                html.Div(first.number, className="display-number", id="display-number"),
                html.Div(
                    [
                        html.Div(where.text("zh"), className="display-to-zh"),
                        html.Div(where.text("en"), className="display-en"),
                    ],
                    className="display-to",
                    id="display-to",
                ),
            ],
            className="display-current",
            key=say[0]["key"],
            style={"animationDuration": f"{cfg.display.flash_seconds}s"},
        )
    else:
        current = html.Div(
            [t("display.nobody_called", "zh"), html.Span(t("display.nobody_called", "en"))],
            className="display-current display-idle",
        )
    calls = [_call(cfg, c) for c in calling[1:]]
    return current, calls, _queues(cfg, board.queues), say


def _call(cfg: HallConfig, c: boards.CalledTicket) -> Any:
    """A recent call: the number, its window, and the window's floor and zone."""
    where = to_window(cfg, c.window)
    return html.Div(
        [
            html.Div(
                [
                    html.Span(c.number, className="display-call-number"),
                    html.Span(where.windows_words("zh"), className="display-call-window"),
                ],
                className="display-call-main",
            ),
            html.Div(where.place("zh"), className="display-call-place"),
        ],
        className="display-call",
    )


def _queues(cfg: HallConfig, queues: list[boards.QueueLine]) -> Any:
    busy = [q for q in queues if q.waiting > 0]
    busy.sort(key=lambda q: -q.waiting)
    shown = busy[:QUEUES_SHOWN]
    if not shown:
        return html.Div(
            [t("display.no_queue", "zh"), html.Span(t("display.no_queue", "en"))],
            className="display-empty",
        )
    rows = [
        html.Div(
            [
                html.Div(q.name_zh, className="display-service"),
                html.Div(str(q.waiting), className="display-count"),
                html.Div(_eta(q.eta_minutes, "zh"), className="display-eta"),
                html.Div(q.name_en, className="display-service-en"),
                html.Div(_eta(q.eta_minutes, "en"), className="display-eta-en"),
            ],
            className="display-queue",
        )
        for q in shown
    ]
    more, idle = len(busy) - len(shown), len(queues) - len(busy)
    key, count = ("display.more", more) if more else ("display.others", idle)
    footer = (
        [
            html.Div(
                [t(key, "zh", count=count), html.Span(t(key, "en", count=count))],
                className="display-others",
            )
        ]
        if count
        else []
    )
    head = html.Div(
        [
            html.Div(_both("display.col.service")),
            html.Div(_both("display.col.waiting"), className="display-count"),
            html.Div(_both("display.col.eta"), className="display-eta"),
        ],
        className="display-queue display-queue-head",
    )
    return [head, *rows, *footer]


def _both(key: str) -> list[Any]:
    return [t(key, "zh"), html.Span(t(key, "en"), className="display-head-en")]


def _eta(minutes: int | None, lang: str) -> str:
    if minutes is None:
        return t("display.eta_none", lang)
    if minutes == 0:
        return t("display.eta_now", lang)
    return t("display.eta", lang, minutes=minutes)


@callback(
    Output("display-current", "children"),
    Output("display-calls", "children"),
    Output("display-queues", "children"),
    Output("display-say", "data"),
    Input(live.version_id(PAGE), "data"),
    State("display-zone", "data"),
    prevent_initial_call=True,
)
def redraw(version: int | None, zone: str) -> tuple[Any, ...]:
    """A new board, only when its version moved (the poll does not fire otherwise).

    The drawing is kept under the version the server reads, never the one the browser sends: a
    forged version would otherwise park a stale board where every screen looks for the next."""
    if version is None:
        return (no_update,) * 4
    ctx = context()
    try:
        current = boards.version(ctx, zone or None)  # UnknownZone for a zone the hall lacks
        return live.drawn_once(ctx, f"display:{zone}:{current}", lambda: _draw(ctx, zone or None))
    except errors.HallqError:
        return (no_update,) * 4


clientside_callback(
    """
    function(calls, options) {
        window.hallqAnnounce(calls, options);
        return window.dash_clientside.no_update;
    }
    """,
    Output("display-spoken", "children"),
    Input("display-say", "data"),
    State("display-options", "data"),
)

clientside_callback(
    """
    function(n, timeZone) {
        return new Date().toLocaleTimeString("zh-CN", {
            hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: timeZone
        });
    }
    """,
    Output("display-clock", "children"),
    Input({"type": "live-tick", "page": PAGE}, "n_intervals"),
    State("display-tz", "data"),
)
