"""Take a ticket with the phone (``/take``), and the poster with its QR code for the wall
(``/staff/take-qr``).

A village point has one or two windows and often no kiosk: the visitor scans the code on the
wall, taps a matter, and the number shows on the phone (the ticket's own page, ``/t/<id>``,
which follows the calls). Like that page this is not a Dash page but one small HTML answer, its
style inlined and no script at all: the matters are the buttons of one plain form.

The ticket is asked for as a visitor at the request's address (the per-address limit,
``HALLQ_ISSUE_LIMIT``, as on the kiosk page and the API without a token), with a request id the
page put in the form (with the matter and kind tapped), so a double tap or a resent form
answers the first ticket. A post must
come from this server's own page (``Origin``/``Referer`` and ``Sec-Fetch-Site``, which browsers
send with every cross-site post); the page takes no cookie, so it has no session to ride on.

Links are made under the request's hall (:func:`web.current.prefix`), so the page keeps a
hall's path prefix (``/h/<hall>/take``); the poster's code holds the hall's ``public_url`` when
the hall file sets one (the hall's own address), else this server's address for the hall.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from components.qr import qr_data_uri
from components.screens import ticket_hours
from queues import errors, services
from queues.access.requesters import Requester
from queues.hall.config import HallConfig
from queues.inputs import Code, PublicId
from queues.read import boards
from queues.text.i18n import other_lang, t
from web import auth
from web.current import context, lang_of, prefix, public_address
from web.statuses import KIND_STATUS

STYLE = "".join(
    (Path(__file__).resolve().parent / name).read_text(encoding="utf-8")
    for name in ("phone-base.css", "take.css")
)
PATH = "/take"
POSTER_PATH = "/staff/take-qr"
MAX_FORM_BYTES = 2_048
"""The form is three short fields; anything larger is refused before it is read."""
POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""No script at all: a form and its buttons."""
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
"""Taken so that a wrong method is answered in the page's own words (405), not Flask's."""


class TakeForm(BaseModel):
    """What the page's form sends: the matter tapped, the kind of ticket, the page's request id."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service: Code
    priority: Literal["normal", "priority"] = "normal"
    request: PublicId


def register(server: Flask) -> None:
    server.add_url_rule(PATH, "take_page", take, methods=METHODS)
    server.add_url_rule(POSTER_PATH, "take_poster", poster)


# --- the answers -----------------------------------------------------------------------------


def take() -> Response:
    lang = lang_of(request.args.get("lang"))
    if request.method in ("GET", "HEAD"):
        return _menu(lang)
    if request.method != "POST":
        message = t("error.method_not_allowed", lang, path=PATH, method=request.method)
        answer = _message_page(lang, message, 405)
        answer.headers["Allow"] = "GET, HEAD, POST"
        return answer
    return _issue(lang)


def _issue(lang: str) -> Response:
    if not _same_origin():
        return _message_page(lang, t("error.cross_site", lang), 403)
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _message_page(lang, t("take.too_big", lang), 413)
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_FORM_BYTES
    try:
        form = TakeForm.model_validate(request.form.to_dict())
    except RequestEntityTooLarge:
        return _message_page(lang, t("take.too_big", lang), 413)
    except (ValidationError, ValueError):
        return _message_page(lang, t("take.bad_form", lang), 400)
    ctx = context()
    try:
        issued = services.issue(
            ctx,
            form.service,
            form.priority,
            by=Requester.visitor(request.remote_addr),
            request_id=_request_id(form),
        )
    except errors.RequestIdReused:
        return _message_page(lang, t("take.another", lang), 409)
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("take.busy", lang), 503)
    except errors.HallqError as exc:
        answer = _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
        if isinstance(exc, errors.RateLimited):
            answer.headers["Retry-After"] = str(exc.retry_after())
        return answer
    where = f"{prefix()}/t/{issued.ticket.id}" + ("?lang=en" if lang == "en" else "")
    answer = redirect(where, 303)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _request_id(form: TakeForm) -> str:
    """The ticket's request id: the page's, for this matter and kind. Tapping it twice (or
    sending the form again) answers the first ticket; another matter from the same page (one the
    browser kept when the visitor came back to it) is a ticket of its own."""
    key = f"{form.request} {form.service} {form.priority}".encode()
    return "take-" + hashlib.blake2b(key, digest_size=16).hexdigest()


def _same_origin() -> bool:
    """Whether the post comes from a page of this server. Browsers send ``Origin`` (or at least
    ``Referer``) with a cross-site post, and ``Sec-Fetch-Site`` besides; a client that sends
    neither is no browser, and no visitor's browser can be made to post for it."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


# --- the menu of matters ---------------------------------------------------------------------


def _menu(lang: str) -> Response:
    ctx = context()
    cfg = ctx.config
    try:
        board = boards.service_board(ctx)
    except errors.HallqError:
        return _message_page(lang, t("take.busy", lang), 503)
    offered = [b for b in board if b.open]
    local = ctx.local()
    closed = not ctx.open_always and not cfg.hours.issuing(local)
    if closed:
        main = _message(services.hall_closed(cfg).message(lang))
    elif not offered:
        main = _message(t("take.none", lang))
    else:
        main = _form(cfg, offered, lang)
    hours = Markup('<p class="take-hours" id="take-hours">{}</p>').format(ticket_hours(cfg, lang))
    note = Markup('<p class="take-note">{}</p>').format(t("take.note", lang))
    return _document(lang, t("take.title", lang), main + hours + note, 200, switch=True)


def _form(cfg: HallConfig, offered: list[boards.ServiceStatus], lang: str) -> Markup:
    kinds = Markup("").join(
        Markup(
            '<label><input type="radio" name="priority" value="{value}"{checked}>'
            "<span>{label}{note}</span></label>"
        ).format(
            value=value,
            checked=Markup(" checked") if value == "normal" else Markup(""),
            label=t(label, lang),
            note=Markup("<small>{}</small>").format(t("kiosk.priority.note", lang))
            if value == "priority"
            else Markup(""),
        )
        for value, label in (("normal", "kiosk.normal"), ("priority", "kiosk.priority"))
    )
    zones = list(dict.fromkeys(b.zone for b in offered))
    groups = []
    for code in zones:
        zone = cfg.zone(code)
        heading = (
            Markup('<h2 class="take-zone">{}</h2>').format(zone.name(lang))
            if len(zones) > 1 and zone is not None
            else Markup("")
        )
        buttons = Markup("").join(
            Markup(
                '<button type="submit" class="take-service" name="service" value="{code}">'
                "{name}<span>{waiting}</span></button>"
            ).format(
                code=b.code,
                name=b.name_en if lang == "en" else b.name_zh,
                waiting=t("kiosk.waiting", lang, count=b.waiting),
            )
            for b in offered
            if b.zone == code
        )
        groups.append(heading + buttons)
    return Markup(
        '<form method="post" action="{action}" id="take-form">'
        '<input type="hidden" name="request" value="{request_id}">'
        '<fieldset class="take-kind"><legend>{kind}</legend>{kinds}</fieldset>'
        '<p class="take-choose">{choose}</p>{groups}</form>'
    ).format(
        action=_here(lang),
        request_id=uuid.uuid4().hex,
        kind=t("take.kind", lang),
        kinds=kinds,
        choose=t("take.choose", lang),
        groups=Markup("").join(groups),
    )


# --- the poster ------------------------------------------------------------------------------


def poster() -> Response:
    """The hall's name and a big QR code of its take-a-ticket address, to print for the wall.
    For signed-in staff (the village agent prints it; the address is public all the same)."""
    if auth.current_user() is None:
        back = f"{prefix()}{POSTER_PATH}"
        return redirect(f"{prefix()}/login?next={back}", 303)
    cfg = context().config
    address = public_address(PATH)
    body = Markup(
        '<main class="poster" id="poster">'
        '<p class="poster-hall" id="poster-hall">{hall_zh}</p>'
        '<p class="poster-hall-en">{hall_en}</p>'
        '<h1 class="poster-title">{title_zh}</h1>'
        '<p class="poster-title-en">{title_en}</p>'
        '<img class="poster-qr" id="poster-qr" alt="{title_zh} / {title_en}" src="{qr}">'
        '<p class="poster-how">{how_zh}</p><p class="poster-how-en">{how_en}</p>'
        '<p class="poster-url" id="poster-url">{address}</p>'
        '<p class="poster-print">{print_zh} · {print_en}</p>'
        "</main>"
    ).format(
        hall_zh=cfg.hall.name.zh,
        hall_en=cfg.hall.name.en,
        title_zh=t("take.poster.title", "zh"),
        title_en=t("take.poster.title", "en"),
        qr=qr_data_uri(address),
        how_zh=t("take.poster.how", "zh"),
        how_en=t("take.poster.how", "en"),
        address=address,
        print_zh=t("take.poster.print", "zh"),
        print_en=t("take.poster.print", "en"),
    )
    return _answer(_html("zh", t("take.poster.title", "zh"), body), 200)


# --- the document ----------------------------------------------------------------------------


def _here(lang: str) -> str:
    return f"{prefix()}{PATH}" + ("?lang=en" if lang == "en" else "")


def _message(text: str) -> Markup:
    return Markup('<p class="take-message" id="take-message" role="alert">{}</p>').format(text)


def _message_page(lang: str, text: str, status: int) -> Response:
    again = Markup('<a class="take-again" id="take-again" href="{}">{}</a>').format(
        _here(lang), t("take.again", lang)
    )
    return _document(lang, t("take.title", lang), _message(text) + again, status)


def _document(lang: str, heading: str, main: Markup, status: int, switch: bool = False) -> Response:
    cfg = context().config
    other = other_lang(lang)
    link = (
        Markup('<a class="take-lang" id="take-lang" href="{}" hreflang="{}">{}</a>').format(
            _here(other), other, t("lang.switch", lang)
        )
        if switch
        else Markup("")
    )
    body = Markup(
        '<main class="take" id="take"><div class="take-top">'
        '<span class="take-hall" id="take-hall">{hall}</span>{link}</div>'
        '<h1 class="take-title">{heading}</h1>{main}</main>'
    ).format(hall=cfg.hall.name(lang), link=link, heading=heading, main=main)
    return _answer(_html(lang, heading, body), status)


def _html(lang: str, title: str, body: Markup) -> str:
    return str(
        Markup(
            "<!DOCTYPE html>"
            '<html lang="{html_lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex">'
            "<title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
        ).format(
            html_lang="en" if lang == "en" else "zh-CN",
            title=title,
            style=Markup(STYLE),
            body=body,
        )
    )


def _answer(html: str, status: int) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = POLICY
    return response
