"""What pages need from the running app: the hall context, and the language asked for."""

from __future__ import annotations

from flask import current_app, request

from queues.context import Context
from queues.network import Network
from queues.text.i18n import Lang, norm_lang


def context() -> Context:
    """The hall context of the app serving this request (set by ``app.create_app``)."""
    return current_app.extensions["hallq"]


def lang_of(value: str | None) -> Lang:
    """The page language from a ``?lang=`` value: English when asked, otherwise zh-CN."""
    return norm_lang(value)


def public_address(path: str) -> str:
    """The address a visitor's phone opens for ``path`` (``/t/<id>``, ``/take``): under the
    hall's ``public_url`` when its file sets one, else under this server's address for the hall
    (its path prefix included)."""
    return (context().config.hall.public_url or request.url_root).rstrip("/") + path


def network() -> Network:
    """The network of halls this app serves: the one ``app.create_app`` was given, or else the
    app's hall as a network of one."""
    found = current_app.extensions.get("hallq.network")
    return found if found is not None else Network.of_one(context())
