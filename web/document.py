"""The HTML document every page loads in, named in the page's language.

Dash serves one document for every page; its ``<html>`` element carries no language, so screen
readers guess and axe reports it. The document says ``lang="zh-CN"``, or ``lang="en"`` when the
page is asked for in English (``?lang=en``); ``assets/lang.js`` keeps it right when a page moves
to another address without reloading.
"""

from __future__ import annotations

from typing import Any

from dash import Dash
from flask import has_request_context, request

from queues.text.i18n import Lang, norm_lang

HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}


def html_lang(lang: Lang) -> str:
    return HTML_LANG[lang]


class HallqDash(Dash):
    """Dash with the page's language on its ``<html>`` element."""

    def interpolate_index(self, **kwargs: Any) -> str:
        document = super().interpolate_index(**kwargs)
        asked = request.args.get("lang") if has_request_context() else None
        return document.replace("<html>", f'<html lang="{html_lang(norm_lang(asked))}">', 1)
