"""What pages need from the running app: the hall context, and the language asked for."""

from __future__ import annotations

from flask import current_app

from queues.context import Context
from queues.text.i18n import Lang, norm_lang


def context() -> Context:
    """The hall context of the app serving this request (set by ``app.create_app``)."""
    return current_app.extensions["hallq"]


def lang_of(value: str | None) -> Lang:
    """The page language from a ``?lang=`` value: English when asked, otherwise zh-CN."""
    return norm_lang(value)
