"""The HTML document every page loads in, named in the page's language.

Dash serves one document for every page; its ``<html>`` element carries no language, so screen
readers guess and axe reports it. The document says ``lang="zh-CN"``, or ``lang="en"`` when the
page is asked for in English (``?lang=en``); ``assets/lang.js`` keeps it right when a page moves
to another address without reloading.

A page opened under a hall (``/h/<hall>/kiosk``, :mod:`web.halls`) posts its callbacks under the
same prefix, so each callback knows its hall: the document's config names ``/h/<hall>/`` as the
prefix of the renderer's requests (the bundle and the assets stay at the root), and the pages'
router takes the prefix off the address before it looks for the page.
"""

from __future__ import annotations

from typing import Any

from dash import Dash
from flask import has_request_context, request

from queues.text.i18n import Lang, norm_lang
from web import current

HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}


def html_lang(lang: Lang) -> str:
    return HTML_LANG[lang]


class HallqDash(Dash):
    """Dash with the page's language on its ``<html>`` element, serving every hall's pages."""

    def _config(self) -> dict[str, Any]:
        config = super()._config()
        prefix = current.prefix()
        if prefix:  # the renderer's layout, dependencies and callbacks go to the page's hall
            config["requests_pathname_prefix"] = prefix + "/"
        return config

    def strip_relative_path(self, path: str | None) -> str | None:
        """The page's path without the hall's prefix (the router's ``kiosk`` of
        ``/h/town/kiosk``): the callback came under that same prefix."""
        prefix = current.prefix()
        if path and prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :] or "/"
        return super().strip_relative_path(path)  # type: ignore[arg-type]

    def interpolate_index(self, **kwargs: Any) -> str:
        document = super().interpolate_index(**kwargs)
        asked = request.args.get("lang") if has_request_context() else None
        return document.replace("<html>", f'<html lang="{html_lang(norm_lang(asked))}">', 1)
