"""Book an appointment with the phone (``/book``; under a hall ``/h/<hall>/book``).

Made for an older visitor on a small phone and a slow network: like the take page it is not a
Dash page but small HTML answers, style inlined, no script at all. One question a page, each
answer a big button (a link): the matter, then the day (with its places left), then the time
(with its places left), then the name and mobile number in one plain form. The booking's own
page (``/book/<code>``) shows the code in large type and as a QR code for the kiosk's scanner,
when to come, and offers to cancel or move it; it holds no name and the number only masked
(the page is reached by whoever holds the code). A code typed on the first page finds it.

Posts must come from this server's own pages (``Origin``/``Referer``, ``Sec-Fetch-Site``), as
on the take page; the page takes no cookie. Look-ups by code count against the address
(:mod:`queues.bookings`, ``LOOKUPS``): guessing codes gets a refusal (429) after a few misses.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, redirect, request
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from components.qr import qr_data_uri
from queues import bookings, errors
from queues.inputs import BookingCode, Code, IdNumberText, PersonName, Phone
from queues.rules import booking as rule
from queues.text.i18n import other_lang, t
from web.current import context, lang_of, prefix
from web.statuses import KIND_STATUS

STYLE = "".join(
    (Path(__file__).resolve().parent / name).read_text(encoding="utf-8")
    for name in ("phone-base.css", "take.css", "book.css")
)
PATH = "/book"
MAX_FORM_BYTES = 2_048
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
"""No script at all: links, forms and their buttons."""
_CODE = re.compile(r"[a-z][a-z0-9-]{0,31}")
"""What a matter's code may be (queues.inputs.Code)."""
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(server: Flask) -> None:
    server.add_url_rule(PATH, "book_page", book, methods=["GET", "HEAD", "POST"])
    server.add_url_rule(PATH + "/find", "book_find", find)
    server.add_url_rule(PATH + "/<code>", "book_booking", booking)
    server.add_url_rule(PATH + "/<code>/cancel", "book_cancel", cancel, methods=["POST"])
    server.add_url_rule(PATH + "/<code>/move", "book_move", move, methods=["GET", "HEAD", "POST"])


# --- links -----------------------------------------------------------------------------------


def _link(target: str, lang: str, **query: str) -> str:
    params = {k: v for k, v in query.items() if v}
    if lang == "en":
        params["lang"] = "en"
    return prefix() + target + ("?" + urlencode(params) if params else "")


def _day_words(day: date, lang: str) -> str:
    weekday = t(f"weekday.{WEEKDAY_KEYS[day.weekday()]}", lang)
    if lang == "en":
        return f"{weekday} {day.day} {day:%b}"
    return f"{day.month}月{day.day}日 {weekday}"


def _slot_words(start: datetime, minutes: int) -> str:
    end = start + timedelta(minutes=minutes)
    return f"{start:%H:%M}–{end:%H:%M}"


# --- the steps -------------------------------------------------------------------------------


def book() -> Response:
    lang = lang_of(request.args.get("lang"))
    if request.method == "POST":
        return _post(lang)
    service = request.args.get("service") or ""
    day = request.args.get("day") or ""
    slot = request.args.get("slot") or ""
    try:
        if not service:
            return _matters(lang)
        if not day:
            return _days(lang, service)
        if not slot:
            return _slots(lang, service, day)
        return _person(lang, service, day, slot)
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except errors.HallqError as exc:
        return _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))


def _matters(lang: str) -> Response:
    ctx = context()
    offered = bookings.bookable_services(ctx)
    if not offered:
        main = _message(t("booking.none", lang))
    else:
        main = _step(t("booking.step.matter", lang)) + Markup("").join(
            _button(_link(PATH, lang, service=svc.code), svc.name(lang), "", f"book-{svc.code}")
            for svc in offered
        )
    b = ctx.config.booking
    rule_words = t(
        "booking.rule",
        lang,
        no_shows=b.no_shows_per_month,
        cancels=b.cancels_per_month,
        per_day=b.same_matter_per_day,
        days=b.bar_days,
    )
    find = Markup(
        '<form method="get" action="{action}" class="book-find" id="book-find">'
        "<h2>{heading}</h2>{lang_field}"
        '<label for="book-find-code">{label}</label>'
        '<input id="book-find-code" name="code" maxlength="16" autocomplete="off" '
        'autocapitalize="characters" required>'
        '<button type="submit" class="book-secondary">{find}</button></form>'
    ).format(
        action=prefix() + PATH + "/find",
        heading=t("booking.mine", lang),
        lang_field=_lang_field(lang),
        label=t("booking.mine.code", lang),
        find=t("booking.mine.find", lang),
    )
    note = Markup('<p class="take-note">{}</p>').format(rule_words)
    return _document(lang, t("booking.title", lang), main + find + note, 200)


def _service(service: str) -> Any:
    ctx = context()
    svc = ctx.config.service(service)
    if svc is None:  # the address's words are not the page's to say: a code, or nothing
        raise errors.UnknownService(service=service if _CODE.fullmatch(service) else "")
    if rule.bookable(ctx.hall_file or ctx.config, service) is None:
        raise errors.NotBookable(name=svc.name)
    return svc


def _days(lang: str, service: str, code: str | None = None) -> Response:
    svc = _service(service)
    found = bookings.days(context(), service)
    head = _chosen(lang, svc.name(lang))
    if not found:
        main = head + _message(t("booking.no_days", lang))
    else:
        base = PATH + (f"/{code}/move" if code else "")
        main = (
            head
            + _step(t("booking.step.day", lang))
            + Markup("").join(
                _button(
                    _link(base, lang, service=service if not code else "", day=d.day.isoformat()),
                    _day_words(d.day, lang),
                    t("booking.day_left", lang, left=d.left) if d.left else t("booking.full", lang),
                    f"book-day-{d.day.isoformat()}",
                    enabled=d.left > 0,
                )
                for d in found
            )
        )
    back = _back(_link(PATH + (f"/{code}" if code else ""), lang), lang)
    return _document(lang, t("booking.title", lang), main + back, 200)


def _day_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.NoSuchSlot(name="", slot="?") from None  # the address's words: not said


def _slots(lang: str, service: str, day_text: str, code: str | None = None) -> Response:
    svc = _service(service)
    ctx = context()
    day = _day_of(day_text)
    open_days = {d.day for d in bookings.days(ctx, service)}
    found = bookings.slots(ctx, service, day) if day in open_days else []
    head = _chosen(lang, svc.name(lang), _day_words(day, lang))
    if not any(s.left for s in found):
        main = head + _message(t("booking.no_slots", lang))
    else:
        base = PATH + (f"/{code}/move" if code else "")
        main = (
            head
            + _step(t("booking.step.slot", lang))
            + Markup("").join(
                _button(
                    _link(
                        base,
                        lang,
                        service=service if not code else "",
                        day=day.isoformat(),
                        slot=f"{s.start:%H%M}",
                    ),
                    _slot_words(s.start, s.minutes),
                    t("booking.left", lang, left=s.left) if s.left else t("booking.full", lang),
                    f"book-slot-{s.start:%H%M}",
                    enabled=s.left > 0,
                )
                for s in found
            )
        )
    if code:
        back = _back(_link(PATH + f"/{code}/move", lang), lang)
    else:
        back = _back(_link(PATH, lang, service=service), lang)
    return _document(lang, t("booking.title", lang), main + back, 200)


def _slot_start(day_text: str, slot_text: str) -> datetime:
    ctx = context()
    day = _day_of(day_text)
    if len(slot_text) != 4 or not slot_text.isascii() or not slot_text.isdigit():
        raise errors.NoSuchSlot(name="", slot=f"{day.isoformat()} ?")
    try:
        return datetime(
            day.year, day.month, day.day, int(slot_text[:2]), int(slot_text[2:]), tzinfo=ctx.tz
        )
    except ValueError:
        raise errors.NoSuchSlot(name="", slot=f"{day.isoformat()} {slot_text}") from None


def _bookable_start(svc: Any, day_text: str, slot_text: str) -> datetime:
    """The slot the address names when the matter can be booked then, or NoSuchSlot: no form is
    offered for a slot that the booking would refuse."""
    ctx = context()
    start = _slot_start(day_text, slot_text)
    if start.date() not in {d.day for d in bookings.days(ctx, svc.code)} or (
        rule.slot_of(ctx.hall_file or ctx.config, start, ctx.tz) is None
    ):
        raise errors.NoSuchSlot(name=svc.name, slot=f"{start:%Y-%m-%d %H:%M}")
    return start


def _person(
    lang: str, service: str, day_text: str, slot_text: str, message: str = "", status: int = 200
) -> Response:
    svc = _service(service)
    start = _bookable_start(svc, day_text, slot_text)
    cfg = context().config
    head = _chosen(
        lang,
        svc.name(lang),
        _day_words(start.date(), lang),
        _slot_words(start, cfg.booking.slot_minutes),
    )
    form = Markup(
        '<form method="post" action="{action}" class="book-form" id="book-form">'
        '<input type="hidden" name="service" value="{service}">'
        '<input type="hidden" name="slot" value="{slot}">'
        '<label for="book-name">{name}</label>'
        '<input id="book-name" name="name" maxlength="50" autocomplete="name" required>'
        '<label for="book-phone">{phone}</label>'
        '<input id="book-phone" name="phone" type="tel" inputmode="numeric" maxlength="20" '
        'autocomplete="tel" required>'
        '<label for="book-id">{id_number}</label>'
        '<input id="book-id" name="id_number" maxlength="18" autocomplete="off">'
        '<p class="take-note">{privacy}</p>'
        '<button type="submit" class="take-service book-submit" id="book-submit">{submit}</button>'
        "</form>"
    ).format(
        action=_link(PATH, lang),
        service=service,
        slot=f"{start:%Y-%m-%dT%H:%M}",
        name=t("booking.name", lang),
        phone=t("booking.phone", lang),
        id_number=t("booking.id_number", lang),
        privacy=t("booking.privacy", lang),
        submit=t("booking.submit", lang),
    )
    shown = _message(message) if message else Markup("")
    main = head + _step(t("booking.step.person", lang)) + shown + form
    back = _back(_link(PATH, lang, service=service, day=day_text), lang)
    return _document(lang, t("booking.title", lang), main + back, status)


def _post(lang: str) -> Response:
    if not _same_origin():
        return _message_page(lang, t("error.cross_site", lang), 403)
    form = _form()
    if isinstance(form, Response):
        return form
    try:
        start = datetime.fromisoformat(form["slot"]).replace(tzinfo=context().tz)
    except ValueError:
        return _message_page(lang, t("booking.bad_form", lang), 400)
    try:
        made = bookings.book(
            context(),
            form["service"],
            start,
            form["name"],
            form["phone"],
            lang=lang,
            by=f"anonymous:{request.remote_addr or '?'}",
            id_number=form.get("id_number") or None,
        )
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except (errors.InvalidMobile, errors.InvalidName, errors.InvalidIdNumber) as exc:
        return _person(
            lang, form["service"], f"{start:%Y-%m-%d}", f"{start:%H%M}", exc.message(lang), 422
        )
    except errors.HallqError as exc:
        return _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
    answer = redirect(_link(f"{PATH}/{made.code}", lang, new="1"), 303)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _form() -> dict[str, str] | Response:
    lang = lang_of(request.args.get("lang"))
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _message_page(lang, t("take.too_big", lang), 413)
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_FORM_BYTES
    try:
        data = request.form.to_dict()
        return _Form.model_validate(data).model_dump()
    except RequestEntityTooLarge:
        return _message_page(lang, t("take.too_big", lang), 413)
    except (ValidationError, ValueError):
        return _message_page(lang, t("booking.bad_form", lang), 400)


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    service: Code
    slot: BookingCode
    name: PersonName
    phone: Phone
    id_number: IdNumberText = ""


class _MoveForm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    slot: BookingCode


# --- the booking's own page ------------------------------------------------------------------


def find() -> Response:
    lang = lang_of(request.args.get("lang"))
    code = rule.norm_code(request.args.get("code") or "") or "".join(
        c for c in (request.args.get("code") or "")[:16] if c.isalnum()
    )
    if not code:
        return redirect(_link(PATH, lang), 303)
    return redirect(_link(f"{PATH}/{code}", lang), 303)


def _lookup(code: str, lang: str) -> bookings.BookingView | Response:
    try:
        return bookings.lookup(context(), code[:16], request.remote_addr)
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except errors.HallqError as exc:
        answer = _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
        seconds = exc.retry_after()
        if seconds is not None:
            answer.headers["Retry-After"] = str(seconds)
        return answer


def booking(code: str) -> Response:
    lang = lang_of(request.args.get("lang"))
    found = _lookup(code, lang)
    if isinstance(found, Response):
        return found
    return _booking_page(
        lang, found, new=request.args.get("new") == "1", ask=request.args.get("cancel") == "1"
    )


def _booking_page(
    lang: str, v: bookings.BookingView, *, new: bool = False, ask: bool = False, note: str = ""
) -> Response:
    cfg = context().config
    svc = cfg.service(v.service)
    matter = svc.name(lang) if svc else v.service
    parts = [
        Markup('<p class="book-done" id="book-done" role="status">{}</p>').format(
            t("booking.done", lang)
        )
        if new
        else Markup(""),
        Markup('<p class="take-message book-note" role="status">{}</p>').format(note)
        if note
        else Markup(""),
        Markup(
            '<section class="book-card" id="book-card">'
            '<p class="book-label">{code_label}</p>'
            '<p class="book-code" id="book-code" aria-label="{code_label} {spelled}">{code}</p>'
            '<img class="book-qr" id="book-qr" alt="{code_label} {code}" src="{qr}">'
            '<dl class="book-facts">'
            '<dt>{matter_label}</dt><dd id="book-matter">{matter}</dd>'
            '<dt>{when_label}</dt><dd id="book-when">{when}</dd>'
            '<dt>{status_label}</dt><dd id="book-status">{status}</dd>'
            '<dt>{phone_label}</dt><dd id="book-phone-hint">{phone}</dd>'
            "</dl>"
            '<p class="book-check-in" id="book-check-in">{check_in}</p>'
            '<p class="take-note">{code_note}</p>'
            "</section>"
        ).format(
            code_label=t("booking.code", lang),
            spelled=" ".join(v.code),
            code=v.code,
            qr=qr_data_uri(v.code),
            matter_label=t("booking.matter", lang),
            matter=matter,
            when_label=t("booking.slot", lang),
            when=f"{_day_words(v.slot.date(), lang)} {_slot_words(v.slot, v.minutes)}",
            status_label=t("booking.status", lang),
            status=t(f"booking.status.{v.status}", lang),
            phone_label=t("booking.phone_hint", lang),
            phone=v.phone_hint,
            check_in=t(
                "booking.check_in",
                lang,
                start=f"{v.check_in_from:%H:%M}",
                end=f"{v.check_in_until:%H:%M}",
            ),
            code_note=t("booking.code_note", lang),
        ),
    ]
    if v.status == bookings.BOOKED:
        if ask:
            parts.append(
                Markup(
                    '<form method="post" action="{action}" class="book-cancel" id="book-cancel">'
                    '<p class="book-confirm">{confirm}</p>'
                    '<button type="submit" class="take-service book-danger" id="book-cancel-yes">'
                    "{cancel}</button></form>"
                ).format(
                    action=_link(f"{PATH}/{v.code}/cancel", lang),
                    confirm=t("booking.cancel.confirm", lang),
                    cancel=t("booking.cancel", lang),
                )
            )
        else:
            parts.append(
                _button(
                    _link(f"{PATH}/{v.code}/move", lang),
                    t("booking.reschedule", lang),
                    "",
                    "book-move",
                    secondary=True,
                )
                + _button(
                    _link(f"{PATH}/{v.code}", lang, cancel="1"),
                    t("booking.cancel", lang),
                    "",
                    "book-cancel-ask",
                    secondary=True,
                )
            )
    parts.append(_back(_link(PATH, lang), lang, t("booking.restart", lang)))
    return _document(
        lang, t("booking.title", lang), Markup("").join(parts), 200, switch_to=f"{PATH}/{v.code}"
    )


def cancel(code: str) -> Response:
    lang = lang_of(request.args.get("lang"))
    if not _same_origin():
        return _message_page(lang, t("error.cross_site", lang), 403)
    try:
        view = bookings.cancel(
            context(),
            code[:16],
            by=f"anonymous:{request.remote_addr or '?'}",
            client=request.remote_addr,
        )
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except errors.HallqError as exc:
        answer = _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
        if exc.retry_after() is not None:
            answer.headers["Retry-After"] = str(exc.retry_after())
        return answer
    return _booking_page(lang, view, note=t("booking.cancelled", lang))


def move(code: str) -> Response:
    lang = lang_of(request.args.get("lang"))
    if request.method == "POST":
        return _move_post(lang, code)
    found = _lookup(code, lang)
    if isinstance(found, Response):
        return found
    if found.status != bookings.BOOKED:
        return _booking_page(lang, found)
    day = request.args.get("day") or ""
    slot = request.args.get("slot") or ""
    try:
        if not day:
            return _days(lang, found.service, found.code)
        if not slot:
            return _slots(lang, found.service, day, found.code)
        start = _bookable_start(_service(found.service), day, slot)
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except errors.HallqError as exc:
        return _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
    svc = context().config.service(found.service)
    head = _chosen(
        lang,
        svc.name(lang) if svc else found.service,
        _day_words(start.date(), lang),
        _slot_words(start, found.minutes),
    )
    form = Markup(
        '<form method="post" action="{action}" id="book-move-form">'
        '<input type="hidden" name="slot" value="{slot}">'
        '<button type="submit" class="take-service book-submit" id="book-move-yes">{label}</button>'
        "</form>"
    ).format(
        action=_link(f"{PATH}/{found.code}/move", lang),
        slot=f"{start:%Y-%m-%dT%H:%M}",
        label=t("booking.reschedule", lang),
    )
    back = _back(_link(f"{PATH}/{found.code}/move", lang, day=day), lang)
    return _document(lang, t("booking.title", lang), head + form + back, 200)


def _move_post(lang: str, code: str) -> Response:
    if not _same_origin():
        return _message_page(lang, t("error.cross_site", lang), 403)
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _message_page(lang, t("take.too_big", lang), 413)
    try:
        form = _MoveForm.model_validate(request.form.to_dict())
        start = datetime.fromisoformat(form.slot).replace(tzinfo=context().tz)
    except (ValidationError, ValueError, RequestEntityTooLarge):
        return _message_page(lang, t("booking.bad_form", lang), 400)
    try:
        view = bookings.reschedule(
            context(),
            code[:16],
            start,
            by=f"anonymous:{request.remote_addr or '?'}",
            client=request.remote_addr,
        )
    except (errors.StoreUnavailable, errors.StoreBusy):
        return _message_page(lang, t("booking.busy", lang), 503)
    except errors.HallqError as exc:
        answer = _message_page(lang, exc.message(lang), KIND_STATUS.get(exc.kind, 422))
        if exc.retry_after() is not None:
            answer.headers["Retry-After"] = str(exc.retry_after())
        return answer
    return _booking_page(lang, view, note=t("booking.rescheduled", lang))


# --- pieces ----------------------------------------------------------------------------------


def _same_origin() -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def _lang_field(lang: str) -> Markup:
    if lang != "en":
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="en">')


def _step(text: str) -> Markup:
    return Markup('<h2 class="book-step">{}</h2>').format(text)


def _chosen(lang: str, *parts: str) -> Markup:
    return Markup('<p class="book-chosen" id="book-chosen">{}</p>').format(" · ".join(parts))


def _button(
    href: str, label: str, detail: str, ident: str, *, enabled: bool = True, secondary: bool = False
) -> Markup:
    small = Markup("<span>{}</span>").format(detail) if detail else Markup("")
    if not enabled:
        return Markup(
            '<span class="take-service book-off" id="{ident}" aria-disabled="true">'
            "{label}{small}</span>"
        ).format(ident=ident, label=label, small=small)
    css = "book-secondary book-wide" if secondary else "take-service"
    return Markup('<a class="{css}" id="{ident}" href="{href}">{label}{small}</a>').format(
        css=css, ident=ident, href=href, label=label, small=small
    )


def _back(href: str, lang: str, label: str | None = None) -> Markup:
    return Markup('<a class="take-again" id="book-back" href="{}">{}</a>').format(
        href, label or t("booking.back", lang)
    )


def _message(text: str) -> Markup:
    return Markup('<p class="take-message" id="book-message" role="alert">{}</p>').format(text)


def _message_page(lang: str, text: str, status: int) -> Response:
    return _document(
        lang,
        t("booking.title", lang),
        _message(text) + _back(_link(PATH, lang), lang, t("booking.restart", lang)),
        status,
        switch_to=PATH,
    )


def _document(
    lang: str, heading: str, main: Markup, status: int, switch_to: str | None = None
) -> Response:
    """The page: the hall's name, a switch to the other language (the same page), the heading."""
    cfg = context().config
    other = other_lang(lang)
    query = {k: v for k, v in request.args.items() if k not in ("lang", "new")}
    target = switch_to or request.path
    link = Markup('<a class="take-lang" id="book-lang" href="{}" hreflang="{}">{}</a>').format(
        _link(target, other, **query), other, t("lang.switch", lang)
    )
    body = Markup(
        '<main class="take book" id="book"><div class="take-top">'
        '<span class="take-hall" id="book-hall">{hall}</span>{link}</div>'
        '<h1 class="take-title">{heading}</h1>{main}</main>'
    ).format(hall=cfg.hall.name(lang), link=link, heading=heading, main=main)
    html = Markup(
        "<!DOCTYPE html>"
        '<html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        "<title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
    ).format(
        html_lang="en" if lang == "en" else "zh-CN",
        title=heading,
        style=Markup(STYLE),
        body=body,
    )
    response = Response(str(html), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = POLICY
    return response
