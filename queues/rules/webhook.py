"""What a webhook says: which events go on the wire, under which type, with which fields.

The events table's kinds map to the types an endpoint subscribes to. A payload is
``{"id", "type", "occurred_at", "hall", "data"}``; ``data`` holds the ticket's number, its
service and zone, the window, the step's times, and what the event itself adds (a rating's
score, a finish's outcome, a transfer's target, a booking's slot). Only the fields named in
:data:`FIELDS` ever reach the wire: a visitor's name, phone or ID number is never among them,
nor a booking's code (it lets its holder cancel the booking).

Pure: no database, no clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

TYPES: tuple[str, ...] = (
    "issued",
    "called",
    "recalled",
    "transferred",
    "finished",
    "no_show",
    "rated",
    "booked",
    "checked_in",
)
"""The event types on the wire, in the order a ticket meets them."""

KIND_TYPE: dict[str, str] = {
    "issued": "issued",
    "called": "called",
    "recalled": "recalled",
    "transferred": "transferred",
    "finished": "finished",
    "no_show": "no_show",
    "rated": "rated",
    "booked": "booked",
    "checked_in": "checked_in",
}
"""The events table's kinds (``queues.store.events.record``) that go out, and their types."""

FIELDS: tuple[str, ...] = (
    "service",
    "first_step",
    "priority",
    "kiosk",
    "out_of_turn",
    "recalls",
    "outcome",
    "promised_date",
    "from_service",
    "to_service",
    "to_window",
    "score",
    "slot",
    "timing",
)
"""The event data's keys a payload may carry, beside what the ticket's row gives."""

SIGNATURE_PREFIX = "sha256="


def type_of(kind: str) -> str | None:
    """The type on the wire of an event kind; None for kinds that do not go out."""
    return KIND_TYPE.get(kind)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def payload(
    *,
    event_id: int,
    kind: str,
    at: datetime,
    hall: str,
    data: Mapping[str, Any],
    ticket: Mapping[str, Any] | None = None,
    window_id: int | None = None,
) -> dict[str, Any]:
    """The JSON object of one event. ``ticket`` is the ticket's row (number, service, zone,
    times) when the event is about one."""
    out: dict[str, Any] = {}
    if ticket is not None:
        out["ticket"] = ticket.get("number")
        out["service"] = ticket.get("service")
        out["zone"] = ticket.get("zone")
        for key in ("issued_at", "called_at", "started_at", "finished_at"):
            out[key] = _iso(ticket.get(key))
    if window_id is not None or ticket is not None:
        out["window"] = window_id if window_id is not None else (ticket or {}).get("window")
    for key in FIELDS:
        if key in data and data[key] is not None:
            out[key] = _iso(data[key])
    return {
        "id": event_id,
        "type": KIND_TYPE[kind],
        "occurred_at": at.isoformat(),
        "hall": hall,
        "data": out,
    }


def body(obj: Mapping[str, Any]) -> str:
    """The exact text sent: compact JSON, keys in a fixed order, UTF-8 as it is."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def signature(secret: str, timestamp: str, text: str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` with the secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{text}".encode(), hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()
