"""Request and response bodies of the API.

The same models validate the traffic and make the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from queues import answers, checkin, printjobs, webhooks
from queues.inputs import (
    Code,
    Comment,
    Flag,
    Ident,
    IdNumber,
    IdNumberText,
    Lang,
    Limit,
    MobileText,
    PersonName,
    Phone,
    PublicId,
    Score,
    Text,
    TicketNumber,
    WebhookSecret,
    WebhookType,
    WebhookUrl,
    WindowId,
)
from queues.network import Level, Network
from queues.read import boards, figures, overview
from queues.rules import lifecycle
from web import current

# The API's enumerations are the vocabulary's (queues.rules.lifecycle), as plain strings.
Priority = Literal[lifecycle.values(lifecycle.Priority)]  # type: ignore[valid-type]
Status = Literal[  # type: ignore[valid-type]
    tuple(s.value for s in lifecycle.Status if s is not lifecycle.Status.TRANSFERRED)
]
"""A ticket's status: its current step's (a transferred step is never a ticket's)."""
Outcome = Literal[lifecycle.values(lifecycle.Outcome)]  # type: ignore[valid-type]
WindowState = Literal[lifecycle.values(lifecycle.WindowState)]  # type: ignore[valid-type]


class _In(BaseModel):
    """A request body: unknown keys refused, and no coercion (``true`` is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Name(_Out):
    zh: str
    en: str


# --- requests -----------------------------------------------------------------------------------


class IssueRequest(_In):
    service: Code = Field(description="The service's code, as `GET /api/v1/services` lists it.")
    priority: Priority = "normal"
    kiosk: Code | None = Field(
        None,
        description="The kiosk whose printer prints the ticket: only that kiosk's token (or an "
        "admin's) may name it; a kiosk token names its own kiosk without it.",
    )
    request_id: Ident | None = Field(
        None, description="A key chosen by the client: the same key again answers the same ticket."
    )
    project_code: Ident | None = Field(
        None, description="A key-project code for the green channel."
    )


class FinishRequest(_In):
    outcome: Outcome = "done"
    promised_date: dt.date | None = Field(
        None, strict=False, description="Required when the outcome is promised (YYYY-MM-DD)."
    )


class TransferRequest(_In):
    service: Code | None = None
    window: WindowId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TransferRequest:
        if (self.service is None) == (self.window is None):
            raise ValueError("give either service or window, not both and not neither")
        return self


class CallRequest(_In):
    number: TicketNumber | None = Field(
        None, description="The ticket's number as the visitor shows it (`T012`)."
    )
    ticket: PublicId | None = Field(None, description="Or the ticket's id.")

    @model_validator(mode="after")
    def _one_ticket(self) -> CallRequest:
        if (self.number is None) == (self.ticket is None):
            raise ValueError("give either number or ticket, not both and not neither")
        return self


class PauseRequest(_In):
    reason: Text = ""


class DisplayQuery(BaseModel):
    zone: Code | None = Field(None, description="Only this zone's calls and queues.")


# --- responses ----------------------------------------------------------------------------------


class Health(_Out):
    status: Literal["ok", "busy", "unavailable"]
    read_replica: Literal["ok", "unavailable"] | None = Field(
        default=None,
        description="Only with a read replica (HALLQ_READ_DATABASE_URL): ok, or unavailable "
        "(managers' figures read the primary meanwhile; status stays ok).",
    )


class ServiceOut(_Out):
    code: str
    name: Name
    zone: str
    prefix: str
    waiting: int = Field(description="Tickets waiting for it now.")
    eta_minutes: int | None = Field(
        description="Expected wait for a ticket taken now; null: no window open for it."
    )
    open: bool = Field(description="Whether a ticket can be taken for it now.")
    reason: Literal["hall_closed", "service_not_offered", "no_window_for_service"] | None = Field(
        description="Why it is not open."
    )
    first_step: str | None = Field(description="The desk a visitor goes to first, if any.")

    @classmethod
    def of(cls, s: boards.ServiceStatus) -> ServiceOut:
        return cls(
            code=s.code,
            name=Name(zh=s.name_zh, en=s.name_en),
            zone=s.zone,
            prefix=s.prefix,
            waiting=s.waiting,
            eta_minutes=s.eta_minutes,
            open=s.open,
            reason=s.reason,  # type: ignore[arg-type]
            first_step=s.first_step,
        )


class TicketOut(_Out):
    id: str = Field(description="Opaque and unguessable: whoever holds it may follow the ticket.")
    number: str
    service: str = Field(description="The service the ticket is queued for or was served at now.")
    requested_service: str = Field(description="The service the visitor chose at the kiosk.")
    zone: str
    priority: Priority
    status: Status
    issued_at: dt.datetime
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    window: int | None = None
    outcome: Outcome | None = None
    promised_date: dt.date | None = None
    ahead: int | None = Field(None, description="While waiting: tickets of the same service ahead.")
    eta_minutes: int | None = Field(
        None, description="While waiting: expected minutes until called."
    )
    status_url: str = Field(
        description="The ticket's phone page on this server: `/t/<id>`, or "
        "`/h/<hall>/t/<id>` when asked under `/api/v1/halls/<hall>/`."
    )

    @classmethod
    def of(cls, v: answers.TicketView, tz: ZoneInfo) -> TicketOut:
        def local(moment: dt.datetime | None) -> dt.datetime | None:
            return moment.astimezone(tz) if moment else None

        return cls(
            id=v.id,
            number=v.number,
            service=v.service,
            requested_service=v.requested_service,
            zone=v.zone,
            priority=v.priority,  # type: ignore[arg-type]
            status=v.status,  # type: ignore[arg-type]
            issued_at=v.issued_at.astimezone(tz),
            called_at=local(v.called_at),
            started_at=local(v.started_at),
            finished_at=local(v.finished_at),
            window=v.window,
            outcome=v.outcome,  # type: ignore[arg-type]
            promised_date=v.promised_date,
            ahead=v.ahead,
            eta_minutes=v.eta_minutes,
            status_url=current.path(v.status_url),
        )


class VersionOut(_Out):
    version: int = Field(description="Moves on every change a screen shows.")


class CallOut(_Out):
    number: str
    window: int
    called_at: dt.datetime


class QueueOut(_Out):
    service: str
    waiting: int
    eta_minutes: int | None


class DisplayOut(_Out):
    version: int = Field(
        description="Moves on every change the screen shows: redraw only when it moved."
    )
    calling: list[CallOut] = Field(
        description="The latest calls, newest first (a recall counts anew)."
    )
    queues: list[QueueOut]


class WindowOut(_Out):
    id: int
    name: Name = Field(description="The department at the window.")
    zone: str
    services: list[str]
    state: WindowState
    reason: str | None = Field(None, description="Why the window is paused.")
    current: TicketOut | None

    @classmethod
    def of(cls, w: answers.WindowView, tz: ZoneInfo) -> WindowOut:
        return cls(
            id=w.id,
            name=Name(zh=w.department_zh, en=w.department_en),
            zone=w.zone,
            services=w.services,
            state=w.state,  # type: ignore[arg-type]
            reason=w.state_reason,
            current=TicketOut.of(w.current, tz) if w.current else None,
        )


class ServiceList(RootModel[list[ServiceOut]]):
    pass


# --- the network --------------------------------------------------------------------------------


class HallOut(_Out):
    code: str = Field(
        description="The hall's code: its pages under `/h/<code>/`, its API "
        "under `/api/v1/halls/<code>/`."
    )
    name: Name
    level: Level
    parent: str | None = Field(description="The code of the hall it belongs to (none: the top).")
    default: bool = Field(description="The hall the paths without a hall code serve.")


class HallList(RootModel[list[HallOut]]):
    @classmethod
    def of(cls, network: Network) -> HallList:
        return cls(
            [
                HallOut(
                    code=h.code,
                    name=Name(zh=h.name_zh, en=h.name_en),
                    level=h.level,
                    parent=h.parent,
                    default=h.code == network.default,
                )
                for h in network.halls.values()
                if h.code in network
            ]
        )


class WindowList(RootModel[list[WindowOut]]):
    pass


# --- ratings and printing -----------------------------------------------------------------------


class RatingRequest(_In):
    score: Score = Field(description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.")
    comment: Comment | None = None


class ReprintRequest(_In):
    kiosk: Code | None = Field(
        None, description="Print at this kiosk (default: where it was taken)."
    )


class ReprintOut(_Out):
    job: int = Field(description="The print job; the kiosk's printer prints it shortly.")


class PairingOut(_Out):
    kiosk: str
    code: str = Field(description="One use; keep it secret until it is used.")
    url: str = Field(description="Open it on the kiosk PC's browser to make it this kiosk.")
    expires_at: dt.datetime


class ClaimRequest(_In):
    kiosk: Code | None = Field(None, description="Default: the kiosk the token names.")
    limit: Limit = 5


class RowOut(_Out):
    text: str
    size: Literal["small", "normal", "large", "huge"]
    bold: bool


class LayoutOut(_Out):
    """What the slip says; the agent prints it in its printer's mode."""

    paper: Literal[58, 80]
    head: list[RowOut]
    qr: str | None = Field(description="The QR code's content: the ticket's status page.")
    tail: list[RowOut]
    name: str


class PrintJobOut(_Out):
    id: int
    reprint: bool
    attempt: int = Field(description="1 for the first try.")
    mode: Literal["text", "raster"]
    cutter: bool = Field(description="False: the printer has no cutter; feed the slip out.")
    status_check: bool = Field(
        True,
        description="Ask the printer its paper before the slip and count the slip printed only "
        "when the printer answers after it; false for a printer that never answers.",
    )
    ticket: TicketOut
    layout: LayoutOut


class PrintJobList(_Out):
    jobs: list[PrintJobOut]


class PrintResultRequest(_In):
    printed: Flag
    error: Text | None = Field(None, description="What went wrong, when it did not print.")
    paper: Literal["ok", "low", "out", "unknown"] = "unknown"
    fault: Literal[printjobs.FAULTS] = Field(  # type: ignore[valid-type]
        "other",
        description="Why it did not print: ``unprintable`` when the slip itself cannot be made "
        "(after a few such the job is given up); any other code is the printer's (the job waits "
        "for the printer).",
    )


class PrintResultOut(_Out):
    id: int
    status: Literal["done", "pending", "cancelled", "failed"]
    next_attempt_at: dt.datetime | None = Field(
        None, description="When a failed job is tried again."
    )


# --- statistics ---------------------------------------------------------------------------------


class StatsQuery(BaseModel):
    zone: Code | None = Field(None, description="Only this zone.")


class FiguresOut(_Out):
    """Counted as `docs/metrics.md` defines (steps: a ticket transferred on is a step at each
    window)."""

    issued: int = Field(description="Tickets issued (zones and the hall; 0 for a window).")
    called: int
    handled: int = Field(
        description="办理量: steps a window took to their end: finished, or served and "
        "transferred on."
    )
    finished: int = Field(
        description="办结量: steps ended with an outcome (the sum of the outcomes); a transfer "
        "is never finished."
    )
    served: int = Field(description="The same as `handled`, kept for clients of version 1.")
    transferred: int = Field(description="Steps served and sent on to another service or window.")
    no_shows: int
    no_show_rate: float | None = Field(description="No-shows over called, 0-1.")
    wait_mean_minutes: float | None = Field(description="From joining the queue to the call.")
    wait_p90_minutes: int | None = Field(description="Nine in ten were called within this.")
    within_target_share: float | None = Field(
        description="Called within their service's target, over those called and those not "
        "called that already waited past it; 0-1."
    )
    late: int = Field(
        description="Waited past their service's target: called late, or not called and past it."
    )
    service_mean_minutes: float | None
    rating_mean: float | None = Field(description="1-5 (非常不满意 … 非常满意).")
    ratings: int
    bad_ratings: int = Field(description="Ratings of the two lowest levels.")

    @classmethod
    def of(cls, f: figures.Figures) -> FiguresOut:
        return cls(
            issued=f.issued,
            called=f.called,
            handled=f.handled,
            finished=f.finished,
            served=f.handled,
            transferred=f.transferred,
            no_shows=f.no_shows,
            no_show_rate=_round(f.no_show_rate, 3),
            wait_mean_minutes=_round(f.wait_mean, 1),
            wait_p90_minutes=f.wait_p90,
            within_target_share=_round(f.within_target_share, 3),
            late=f.late,
            service_mean_minutes=_round(f.service_mean, 1),
            rating_mean=_round(f.rating_mean, 2),
            ratings=f.rating_count,
            bad_ratings=f.bad_ratings,
        )


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


class ZoneStatsOut(FiguresOut):
    zone: str
    waiting: int


class WindowStatsOut(FiguresOut):
    window: int
    zone: str
    state: WindowState
    current: str | None = Field(description="The number the window holds now.")
    open_minutes: float = Field(description="Time open today (not paused, not closed).")
    serving_share: float | None = Field(description="Share of the open time spent serving.")

    @classmethod
    def of_line(cls, w: overview.WindowLine) -> WindowStatsOut:
        return cls(
            **FiguresOut.of(w.figures).model_dump(),
            window=w.id,
            zone=w.zone,
            state=w.state,
            current=w.current,
            open_minutes=round(w.time.open_seconds / 60, 1),
            serving_share=_round(w.time.serving_share, 3),
        )


class StatsOut(FiguresOut):
    day: dt.date
    waiting: int
    waiting_late: int = Field(description="Of those waiting, past their service's target now.")
    longest_wait_minutes: float | None
    windows_open: int
    windows_total: int
    zones: list[ZoneStatsOut]
    windows: list[WindowStatsOut]


# --- webhooks (issue 13) ------------------------------------------------------------------------


class WebhookRequest(_In):
    url: WebhookUrl = Field(
        description="Where each event is POSTed: http:// or https://, at most 500 characters; "
        "an address of this machine or an internal network is refused (422 "
        "`webhook_url_refused`) unless the server allows it (`HALLQ_WEBHOOK_LOCAL=1`)."
    )
    events: list[WebhookType] = Field(
        min_length=1, max_length=20, description="The event types it takes."
    )
    secret: WebhookSecret | None = Field(
        None,
        description="Signs every delivery, 16-200 characters; none: one is made (and answered "
        "this once).",
    )


class WebhookOut(_Out):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime
    created_by: str
    pending: int = Field(description="Deliveries waiting to be sent or being sent.")
    failed: int = Field(description="Deliveries given up on (replay them once the receiver works).")
    last_status: Literal["pending", "sending", "delivered", "failed"] | None = Field(
        description="The newest delivery's state (none yet: null)."
    )
    last_at: dt.datetime | None
    last_error: str | None

    @classmethod
    def of(cls, view: webhooks.HookView, tz: ZoneInfo) -> WebhookOut:
        return cls(
            id=view.id,
            url=view.url,
            events=view.events,
            active=view.active,
            created_at=view.created_at.astimezone(tz),
            created_by=view.created_by,
            pending=view.pending,
            failed=view.failed,
            last_status=view.last_status,  # type: ignore[arg-type]
            last_at=view.last_at.astimezone(tz) if view.last_at else None,
            last_error=view.last_error,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="The signing secret: shown in this answer only, never again. Keep it."
    )


class WebhookList(_Out):
    webhooks: list[WebhookOut]


class DeliveriesQuery(BaseModel):
    status: Literal["pending", "sending", "delivered", "failed"] | None = Field(
        None, description="Only deliveries in this state."
    )
    limit: int = Field(50, ge=1, le=200, description="At most this many, newest first.")


class DeliveryOut(_Out):
    id: int
    webhook: int
    event: int | None = Field(description="The event's id: the `id` of the body sent.")
    type: str
    status: Literal["pending", "sending", "delivered", "failed"]
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None = Field(description="When a pending one is tried next.")
    delivered_at: dt.datetime | None
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None
    body: str = Field(description="The exact JSON sent (and signed).")

    @classmethod
    def of(cls, view: webhooks.DeliveryView, tz: ZoneInfo) -> DeliveryOut:
        def local(moment: dt.datetime | None) -> dt.datetime | None:
            return moment.astimezone(tz) if moment else None

        return cls(
            id=view.id,
            webhook=view.webhook_id,
            event=view.event_id,
            type=view.type,
            status=view.status,  # type: ignore[arg-type]
            attempts=view.attempts,
            created_at=view.created_at.astimezone(tz),
            next_attempt_at=local(view.next_attempt_at),
            delivered_at=local(view.delivered_at),
            last_status_code=view.last_status_code,
            last_error=view.last_error,
            body=view.body,
        )


class DeliveryList(_Out):
    deliveries: list[DeliveryOut]


# --- checkin: a booking's check-in (api/checkin.py) ----------------------------------------------


class CheckInRequest(_In):
    id_number: IdNumber = Field(
        description="The visitor's ID number as the kiosk's card reader reads it (18 characters, "
        "the last a digit or X). Never stored nor answered: the booking keeps its keyed hash."
    )


class BookingRef(_Out):
    code: str
    slot: dt.datetime = Field(description="The booked slot's start.")
    timing: Literal["early", "on_time", "grace", "late"] = Field(
        description="The arrival against the slot: early, on time and within the grace time keep "
        "the slot's start as the place in line; late queues as a walk-in from the arrival."
    )
    turn_at: dt.datetime | None = Field(
        None, description="For an early arrival: when its turn starts (the slot's start)."
    )


class CheckInOut(TicketOut):
    booking: BookingRef

    @classmethod
    def checked_in(cls, done: checkin.CheckedIn, tz: ZoneInfo) -> CheckInOut:
        ticket = TicketOut.of(done.ticket, tz)
        return cls(
            **ticket.model_dump(),
            booking=BookingRef(
                code=done.code,
                slot=done.slot.astimezone(tz),
                timing=done.timing,  # type: ignore[arg-type]
                turn_at=done.turn_at.astimezone(tz) if done.turn_at else None,
            ),
        )


# --- appointments (预约) ------------------------------------------------------------------------

BookingStatus = Literal["booked", "checked_in", "cancelled", "no_show"]


class SlotsQuery(BaseModel):
    service: Code = Field(description="The matter's code (`GET /api/v1/services`).")
    date: dt.date = Field(description="The day (YYYY-MM-DD), one of `GET …/bookings/days`.")


class DaysQuery(BaseModel):
    service: Code = Field(description="The matter's code.")


class BookRequest(_In):
    service: Code = Field(description="The matter's code.")
    slot: dt.datetime = Field(
        strict=False,
        description="The slot's start (ISO 8601; without an offset: the hall's time), one of "
        "`GET …/bookings/slots`.",
    )
    name: PersonName
    phone: Phone = Field(description="A mainland mobile number (11 digits; +86, spaces allowed).")
    lang: Lang = Field("zh", description="The language of the texts the person is sent.")
    id_number: IdNumberText | None = Field(
        None,
        description="The resident ID number, to check in with the ID card: only its keyed hash "
        "is kept.",
    )


class RescheduleRequest(_In):
    slot: dt.datetime = Field(strict=False, description="The new slot's start (ISO 8601).")


class BookingListQuery(BaseModel):
    day: dt.date | None = Field(None, description="The day (default: today).")
    service: Code | None = Field(None, description="Only this matter.")
    status: BookingStatus | None = Field(None, description="Only this status.")


class SlotOut(_Out):
    start: dt.datetime
    minutes: int
    capacity: int = Field(description="Places for bookings (the walk-ins' share kept out).")
    booked: int
    left: int


class SlotList(_Out):
    service: str
    date: dt.date
    bookable: bool = Field(description="Whether the day can be booked now (within the horizon).")
    slots: list[SlotOut]


class DayOut(_Out):
    date: dt.date
    left: int = Field(description="Places left over the day's slots.")


class DayList(_Out):
    service: str
    days: list[DayOut]


class BookingOut(_Out):
    """A booking as its holder sees it: no name; the number masked."""

    code: str = Field(description="The booking code (also what its QR code holds).")
    service: str
    slot: dt.datetime
    minutes: int
    status: BookingStatus
    check_in_from: dt.datetime
    check_in_until: dt.datetime = Field(
        description="Not checked in by then: a no-show (a visitor who comes later is a walk-in)."
    )
    phone_hint: str = Field(description="The mobile number masked, `138****1234`.")
    reschedules: int
    page_url: str = Field(description="The booking's phone page on this server.")

    @classmethod
    def of(cls, v: Any) -> BookingOut:
        return cls(
            code=v.code,
            service=v.service,
            slot=v.slot,
            minutes=v.minutes,
            status=v.status,
            check_in_from=v.check_in_from,
            check_in_until=v.check_in_until,
            phone_hint=v.phone_hint,
            reschedules=v.reschedules,
            page_url=f"{current.prefix()}/book/{v.code}",
        )


class StaffBookingOut(BookingOut):
    """A booking as staff see it: with the name and the number."""

    name: str
    phone: str
    lang: str
    created_at: dt.datetime
    ticket_id: int | None = None


class StaffBookingList(_Out):
    day: dt.date
    bookings: list[StaffBookingOut]


class BarOut(_Out):
    id: int
    reason: Literal["no_shows", "cancels", "same_matter"]
    until: dt.datetime
    created_at: dt.datetime
    lifted_at: dt.datetime | None = None
    lifted_by: str | None = None
    name: str | None = Field(None, description="The name of the person's latest booking.")
    phone: str | None = Field(None, description="The number of the person's latest booking.")


class BarList(_Out):
    bars: list[BarOut]


# --- text messages to visitors (短信通知) ------------------------------------------------------


class NotifyRequest(_In):
    phone: MobileText = Field(
        description="A mainland China mobile number, 11 digits (1[3-9]…); spaces, dashes and a "
        "leading +86 are allowed."
    )
    lang: Literal["zh", "en"] = Field("zh", description="The language of the texts.")


class NotifyOut(_Out):
    phone: str = Field(description="The number the texts go to, masked: 138****5678.")
    near: int = Field(description="The visitor is texted when this many people or fewer are ahead.")
