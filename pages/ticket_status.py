"""The visitor's phone: follow a ticket from the QR code, and rate the service afterwards.

Not a Dash page: a phone on a slow network must see its number at once, so ``/t/<id>`` is one
small HTML answer with the ticket already in it (its style and script inlined, no Dash bundle).
A few lines of script (``pages/phone.js``) ask ``/t/<id>/now`` every few seconds for the ticket's
words, change the tab's title, and once the ticket is called ring (if the visitor tapped to
allow it: browsers ring and vibrate only after a tap) and vibrate. Once served, five buttons rate
the service (好差评) through ``POST /api/v1/tickets/<id>/rating``, once.

It shows what a ticket's view holds (:class:`queues.answers.TicketView`): never the visitor's
name, company or phone, which only the clerk's console reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from pathlib import Path

from flask import Flask, Response, redirect, request
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from components.ticket_words import chosen_service, expected_wait
from pages.take import _same_origin as same_origin
from queues import answers, errors, notices
from queues.inputs import Lang, MobileText
from queues.read import tickets
from queues.rules.lifecycle import OPEN, Outcome, Status
from queues.text.directions import directions, to_window
from queues.text.i18n import other_lang, t
from web.current import api_base, context, lang_of, path
from web.statuses import KIND_STATUS

HERE = Path(__file__).resolve().parent
REFRESH_MS = 5_000
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SCORES = (5, 4, 3, 2, 1)
STYLE = "".join(
    (HERE / name).read_text(encoding="utf-8") for name in ("phone-base.css", "phone.css")
)
SCRIPT = "\n".join(
    path_.read_text(encoding="utf-8")
    for path_ in (HERE.parent / "assets" / "stream.js", HERE / "phone.js")
)
"""The page's one script: the live stream's client (the screens' own, assets/stream.js) and the
page's (pages/phone.js)."""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
POLICY = "; ".join(
    (
        "default-src 'none'",
        f"script-src 'sha256-{_SCRIPT_HASH}'",
        "style-src 'unsafe-inline'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""The page's own Content-Security-Policy: its one inline script by hash, nothing else."""
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


MAX_FORM_BYTES = 512
"""The 到号提醒 form is two short fields; anything larger is refused before it is read."""


class NotifyForm(BaseModel):
    """What the 到号提醒 form sends (the same types as the API's body)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    phone: MobileText
    lang: Lang = "zh"


def register(server: Flask) -> None:
    server.add_url_rule("/t/<ticket_id>", "phone_page", page)
    server.add_url_rule("/t/<ticket_id>/now", "phone_now", now)
    server.add_url_rule("/t/<ticket_id>/notify", "phone_notify", notify, methods=["POST"])


# --- what the page says -------------------------------------------------------------------


def _p(text: str, cls: str, id_: str | None = None) -> Markup:
    ident = Markup(' id="{}"').format(id_) if id_ else Markup("")
    return Markup('<p class="{}"{}>{}</p>').format(cls, ident, text)


def promised_words(day: date | None, lang: str) -> str:
    """已受理，承诺于 12 月 15 日前办结; "Accepted: it will be completed by 15 December"."""
    if day is None:
        return t("phone.outcome.promised_undated", lang)
    when = f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return t("phone.outcome.promised", lang, month=day.month, day=day.day, date=when)


def done_words(v: answers.TicketView, lang: str) -> str:
    """What the visitor is told when the window is done: 办结 only for work that is finished."""
    if v.outcome == Outcome.PROMISED:
        return promised_words(v.promised_date, lang)
    if v.outcome in (Outcome.INCOMPLETE, Outcome.CONSULT):
        return t(f"phone.outcome.{v.outcome}", lang)
    return t("phone.done", lang)


def _state(v: answers.TicketView, lang: str) -> tuple[str, str]:
    """The ticket's state line and its class."""
    cfg = context().config
    if v.status == Status.WAITING:
        return t("phone.waiting", lang), "phone-state phone-state-waiting"
    if v.status == Status.CALLED and v.window is not None:
        return to_window(cfg, v.window, v.service).text(lang), "phone-state phone-state-called"
    if v.status == Status.SERVING:
        return t("phone.serving", lang, window=v.window), "phone-state"
    if v.status == Status.DONE:
        cls = "phone-state phone-state-done" if v.outcome in (None, Outcome.DONE) else "phone-state"
        return done_words(v, lang), cls
    if v.status == Status.NO_SHOW:
        return t("phone.no_show", lang), "phone-state"
    return t("phone.ended", lang), "phone-state"


def body(v: answers.TicketView | None, lang: str) -> Markup:
    if v is None:
        return _p(t("phone.unknown", lang), "phone-state", "phone-state")
    cfg = context().config
    text, cls = _state(v, lang)
    parts = [
        _p(t("phone.number", lang), "phone-label"),
        Markup('<div class="phone-number" id="phone-number">{}</div>').format(v.number),
        _p(chosen_service(cfg, v, lang), "phone-service"),
        _p(text, cls, "phone-state"),
    ]
    if v.status == Status.WAITING:
        where = directions(cfg, v.service, v.target_window)
        parts += [
            _p(t("kiosk.ticket.ahead", lang, ahead=v.ahead or 0), "phone-ahead"),
            _p(expected_wait(v, lang), "phone-wait"),
            _p(where.text(lang), "phone-where", "phone-where"),
        ]
    return Markup("").join(parts)


def tab_title(v: answers.TicketView | None, lang: str) -> str:
    """The tab's title: it says so when the ticket is called, even with the tab in the back."""
    if v is None:
        return t("phone.title", lang)
    if v.status == Status.WAITING:
        return t("phone.tab.waiting", lang, number=v.number, ahead=v.ahead or 0)
    if v.status == Status.CALLED:
        return t("phone.tab.called", lang, number=v.number, window=v.window)
    return t("phone.tab.other", lang, number=v.number)


def rating(v: answers.TicketView | None, lang: str) -> Markup:
    if v is None or v.status != Status.DONE:
        return Markup("")
    if v.rating is not None:
        return _p(t("phone.rated", lang, label=t(f"rating.{v.rating}", lang)), "phone-rated")
    buttons = Markup("").join(
        Markup(
            '<button type="button" class="phone-score phone-score-{0}" data-score="{0}">'
            "{1}</button>"
        ).format(score, t(f"rating.{score}", lang))
        for score in SCORES
    )
    return Markup(
        '<h2 class="phone-rate-title">{}</h2>'
        '<textarea id="phone-comment" class="phone-comment" maxlength="500" placeholder="{}">'
        "</textarea>"
        '<div class="phone-scores">{}</div>'
        '<div id="phone-rate-message" class="phone-rate-message" role="alert"></div>'
    ).format(t("phone.rate", lang), t("phone.comment", lang), buttons)


def _state_key(v: answers.TicketView | None) -> str:
    return "unknown" if v is None else f"{v.status}:{v.rating}"


def _stream_of(v: answers.TicketView | None) -> str:
    """The live stream of the ticket's zone while the ticket can still move (waiting, called,
    served): the page asks for the ticket again when its zone's board moves. "" after."""
    if v is None or v.status not in OPEN:
        return ""
    return f"{api_base()}/display/stream?zone={v.zone}"


def _wants_sound(v: answers.TicketView | None) -> bool:
    return v is not None and v.status in (Status.WAITING, Status.CALLED)


def _ticket(ticket_id: str) -> answers.TicketView | None:
    """The ticket, or None for an id no ticket has; StoreUnavailable goes up."""
    if not PUBLIC_ID.fullmatch(ticket_id):
        return None
    try:
        return tickets.ticket(context(), ticket_id)
    except errors.UnknownTicket:
        return None


# --- the two answers ------------------------------------------------------------------------


def page(ticket_id: str) -> Response:
    return _page(ticket_id, lang_of(request.args.get("lang")))


def _page(
    ticket_id: str, lang: str, message: str | None = None, status: int | None = None
) -> Response:
    cfg = context().config
    try:
        v = _ticket(ticket_id)
        texts = notify_form(ticket_id, v, lang, message)
    except errors.StoreUnavailable:
        return _answer(_unavailable(lang), status=503)
    switch = path(f"/t/{ticket_id}") + ("" if other_lang(lang) == "zh" else "?lang=en")
    sound = Markup(
        '<div id="phone-sound" class="phone-sound"{hidden}>'
        '<button type="button" id="phone-sound-btn" class="phone-sound-btn" data-on="{on}" '
        'data-none="{none}">{enable}</button>'
        '<p id="phone-sound-state" class="phone-sound-state" role="status"></p>'
        '<p class="phone-sound-why">{why}</p></div>'
    ).format(
        hidden=Markup("") if _wants_sound(v) else Markup(" hidden"),
        on=t("phone.sound.on", lang),
        none=t("phone.sound.none", lang),
        enable=t("phone.sound.enable", lang),
        why=t("phone.sound.why", lang),
    )
    thanks = _p(t("phone.thanks", lang), "phone-rated", "phone-thanks")
    html = Markup(
        "<!DOCTYPE html>"
        '<html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        "<title>{title}</title><style>{style}</style></head><body>"
        '<main id="phone" class="phone" data-ticket="{ticket}" data-lang="{lang}" '
        'data-base="{base}" data-api="{api}" '
        'data-state="{state}" data-refresh="{refresh}" data-stream="{stream}" '
        'data-thanks="{thanks}">'
        '<div class="phone-top"><span class="phone-hall" id="phone-hall">{hall}</span>'
        '<a class="phone-lang" id="phone-lang-btn" href="{switch}" hreflang="{other}">'
        "{switch_words}</a></div>"
        '<h1 class="phone-title" id="phone-title">{heading}</h1>'
        '<div id="phone-body" class="phone-body" aria-live="polite">{body}</div>'
        "{sound}{texts}"
        '<div id="phone-rating" class="phone-rating">{rating}</div>'
        '<p class="phone-note" id="phone-note">{note}</p>'
        '<p class="phone-offline" id="phone-offline" role="status" hidden>{offline}</p>'
        "</main><script>{script}</script></body></html>"
    ).format(
        html_lang="en" if lang == "en" else "zh-CN",
        title=tab_title(v, lang),
        style=Markup(STYLE),
        ticket=ticket_id if v is not None else "",
        lang=lang,
        state=_state_key(v),
        refresh=REFRESH_MS if v is not None else 0,
        stream=_stream_of(v),
        thanks=str(thanks),
        hall=cfg.hall.name(lang),
        switch=switch,
        base=path(""),
        api=api_base(),
        other=other_lang(lang),
        switch_words=t("lang.switch", lang),
        heading=t("phone.title", lang),
        body=body(v, lang),
        sound=sound,
        texts=texts,
        rating=rating(v, lang),
        note=t("phone.refresh", lang),
        offline=t("phone.offline", lang),
        script=Markup(SCRIPT),
    )
    return _answer(str(html), status=status or (200 if v is not None else 404))


def now(ticket_id: str) -> Response:
    """The ticket's words as the page shows them, for its poll (JSON)."""
    lang = lang_of(request.args.get("lang"))
    try:
        v = _ticket(ticket_id)
    except errors.StoreUnavailable:
        return Response(status=503)
    answer = {
        "state": _state_key(v),
        "title": tab_title(v, lang),
        "body": str(body(v, lang)),
        "rating": str(rating(v, lang)),
        "sound": _wants_sound(v),
        "stream": _stream_of(v),
    }
    response = Response(json.dumps(answer, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def notify_form(
    ticket_id: str, v: answers.TicketView | None, lang: str, message: str | None = None
) -> Markup:
    """到号提醒: a waiting ticket's visitor leaves a mobile number for the near and called texts
    (a plain form: it works without the page's script). A number already given is shown masked,
    never whole."""
    ctx = context()
    if v is None or v.status != Status.WAITING or not ctx.config.notify.enabled:
        return Markup("")
    given = notices.phone_of(ctx, ticket_id)
    done = (
        _p(t("notify.form.done", lang, phone=given), "phone-notify-done", "phone-notify-done")
        if given
        else Markup("")
    )
    alert = (
        Markup('<p class="phone-notify-error" id="phone-notify-error" role="alert">{}</p>').format(
            message
        )
        if message
        else Markup("")
    )
    action = path(f"/t/{ticket_id}/notify") + ("?lang=en" if lang == "en" else "")
    return Markup(
        '<section class="phone-notify" id="phone-notify">'
        '<h2 class="phone-notify-title">{title}</h2>'
        '<p class="phone-notify-about">{about}</p>{done}{alert}'
        '<form method="post" action="{action}" class="phone-notify-form">'
        '<label for="phone-notify-phone">{label}</label>'
        '<input id="phone-notify-phone" name="phone" type="tel" inputmode="numeric" '
        'autocomplete="tel" maxlength="20" required>'
        '<input type="hidden" name="lang" value="{lang}">'
        '<button type="submit" id="phone-notify-submit" class="phone-notify-submit">{submit}'
        "</button></form></section>"
    ).format(
        title=t("notify.form.title", lang),
        about=t("notify.form.about", lang, near=ctx.config.notify.near),
        done=done,
        alert=alert,
        action=action,
        label=t("notify.form.phone", lang),
        lang=lang,
        submit=t("notify.form.change" if given else "notify.form.submit", lang),
    )


def notify(ticket_id: str) -> Response:
    """The 到号提醒 form's post: the number kept and the page again (303), or the page with
    what is wrong, in words, and the refusal's status."""
    lang = lang_of(request.args.get("lang"))
    if not PUBLIC_ID.fullmatch(ticket_id):
        return _page(ticket_id, lang)
    if not same_origin():  # the take page's rule: a browser's post from a page of this server
        return _page(ticket_id, lang, t("error.cross_site", lang), 403)
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _page(ticket_id, lang, t("take.too_big", lang), 413)
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_FORM_BYTES
    try:
        form = NotifyForm.model_validate(request.form.to_dict())
    except RequestEntityTooLarge:
        return _page(ticket_id, lang, t("take.too_big", lang), 413)
    except (ValidationError, ValueError):
        phone = str(request.form.get("phone", ""))[:20]
        return _page(ticket_id, lang, t("error.invalid_mobile", lang, phone=phone), 422)
    try:
        notices.opt_in(context(), ticket_id, form.phone, form.lang)
    except errors.StoreUnavailable:
        return _answer(_unavailable(lang), status=503)
    except errors.HallqError as exc:
        return _page(ticket_id, lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
    answer = redirect(path(f"/t/{ticket_id}") + ("?lang=en" if lang == "en" else ""), 303)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _unavailable(lang: str) -> str:
    return str(
        Markup('<!DOCTYPE html><html lang="{}"><meta charset="utf-8"><p>{}</p></html>').format(
            "en" if lang == "en" else "zh-CN", t("kiosk.busy", lang)
        )
    )


def _answer(html: str, status: int) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = POLICY
    return response
