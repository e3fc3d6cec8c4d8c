"""The API's text-message endpoint: a waiting ticket's visitor leaves a mobile number for the
"N people ahead" and called texts (:mod:`queues.notices`). Registered on the API of
:mod:`api.routes` when :mod:`api` is imported."""

from __future__ import annotations

from api.http import Call
from api.routes import TICKET, api
from api.schemas import NotifyOut, NotifyRequest
from queues import notices


@api.route(
    "POST",
    f"{TICKET}/notify",
    summary="Text me when my turn is near",
    tag="kiosk",
    body=NotifyRequest,
    ok=(200, NotifyOut),
    errors=(404, 409, 429),
)
def notify(call: Call, ticket_id: str) -> NotifyOut:
    """Whoever holds the ticket (its id is on the slip's QR code) leaves a mobile number: a text
    when the hall's `[notify] near` people or fewer are ahead, and one when the ticket is called
    (with the floor, zone and window). Only while the ticket waits (409 `notify_too_late`); a
    hall that sends no texts answers 409 `notify_off`; not a mobile number: 422
    `invalid_mobile`; the number may be changed a few times, then 429 `notify_changes_spent`.
    The answer shows the number masked; no answer ever shows it whole."""
    body: NotifyRequest = call.body
    masked = notices.opt_in(call.ctx, ticket_id, body.phone, body.lang)
    return NotifyOut(phone=masked, near=call.ctx.config.notify.near)
