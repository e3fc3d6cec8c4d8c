"""The page for an address no screen answers."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.screens import with_lang
from queues.text.i18n import t
from web.current import lang_of, path

dash.register_page(__name__, path="/404")


def layout(lang: str | None = None, **_: str) -> dbc.Container:
    lang = lang_of(lang)
    return dbc.Container(
        [
            html.H1(t("notfound.heading", lang), className="mt-5"),
            html.P(t("notfound.body", lang)),
            dbc.Button(t("notfound.back", lang), href=with_lang(path("/"), lang), color="primary"),
        ],
        id="not-found",
    )
