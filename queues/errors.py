"""What can go wrong in the hall, as domain exceptions.

Each has a stable snake_case ``code`` (the API's error code), a ``kind`` that the entry points
map to their own terms (an HTTP status, a message box), and a human message in zh-CN or English
from the message catalogue.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from queues.text.i18n import Phrase, t

Kind = Literal["invalid", "not_found", "conflict", "forbidden", "rate_limited", "unavailable"]


class HallqError(Exception):
    code: ClassVar[str] = "error"
    kind: ClassVar[Kind] = "invalid"

    def __init__(self, **params: Any) -> None:
        """``params`` fill the message; a callable one is asked for the words in the language."""
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        words = {k: v(lang) if callable(v) else v for k, v in self.params.items()}
        return t(f"error.{self.code}", lang, **words)

    def retry_after(self) -> int | None:
        """Seconds after which the same request may succeed (HTTP ``Retry-After``), if known."""
        return None

    def details(self) -> dict[str, str]:
        """Fields an API answer carries beside the code and the message (none but for a few)."""
        return {}


class UnknownService(HallqError):
    code = "unknown_service"


class InvalidPriority(HallqError):
    code = "invalid_priority"


class InvalidOutcome(HallqError):
    code = "invalid_outcome"


class InvalidRole(HallqError):
    code = "invalid_role"


class UnknownTicket(HallqError):
    code = "unknown_ticket"
    kind = "not_found"


class UnknownWindow(HallqError):
    code = "unknown_window"
    kind = "not_found"


class UnknownZone(HallqError):
    code = "unknown_zone"
    kind = "not_found"


class UnknownKiosk(HallqError):
    code = "unknown_kiosk"
    kind = "not_found"


class KioskNotYours(HallqError):
    """A ticket that names a kiosk without being that kiosk (its paired browser or its token)."""

    code = "kiosk_not_yours"
    kind = "forbidden"


class PairingCodeInvalid(HallqError):
    code = "pairing_code_invalid"


class UnknownDevice(HallqError):
    code = "unknown_device"
    kind = "not_found"


class UnknownTargetWindow(HallqError):
    code = "unknown_target_window"


class TransferTargetRequired(HallqError):
    code = "transfer_target_required"


class PromisedDateRequired(HallqError):
    code = "promised_date_required"


class PromisedDateInPast(HallqError):
    code = "promised_date_in_past"


class PromisedDateInvalid(HallqError):
    """What was typed as the promised date is no day of the calendar (``61215-02-02``)."""

    code = "promised_date_invalid"


class PromisedDateTooFar(HallqError):
    code = "promised_date_too_far"


class InvalidProjectCode(HallqError):
    code = "invalid_project_code"


class GreenNotAuthorised(HallqError):
    code = "green_not_authorised"
    kind = "forbidden"


class HallClosed(HallqError):
    code = "hall_closed"
    kind = "conflict"


class ServiceNotOffered(HallqError):
    code = "service_not_offered"
    kind = "conflict"


class NoWindowForService(HallqError):
    code = "no_window_for_service"
    kind = "conflict"


class WaitPastClosing(HallqError):
    code = "wait_past_closing"
    kind = "conflict"


class WindowClosed(HallqError):
    code = "window_closed"
    kind = "conflict"


class WindowPaused(HallqError):
    code = "window_paused"
    kind = "conflict"


class WindowBusy(HallqError):
    code = "window_busy"
    kind = "conflict"


class WindowChanged(HallqError):
    """The window's state moved between reading and writing it (every writer should lock it
    first; this is the refusal if one did not)."""

    code = "window_changed"
    kind = "conflict"


class NotOverdue(HallqError):
    """An automatic no-show found the ticket called again (or another one called) meanwhile."""

    code = "not_overdue"
    kind = "conflict"


class NoCurrentTicket(HallqError):
    code = "no_current_ticket"
    kind = "conflict"


class WrongState(HallqError):
    code = "wrong_state"
    kind = "conflict"

    @classmethod
    def of(cls, number: str, status: str, action: str) -> WrongState:
        """Ticket ``number`` is in ``status``, so ``action`` cannot be done to it."""
        return cls(
            number=number, status=Phrase(f"status.{status}"), action=Phrase(f"action.{action}")
        )


class RequestIdReused(HallqError):
    code = "request_id_reused"
    kind = "conflict"


class RateLimited(HallqError):
    code = "rate_limited"
    kind = "rate_limited"

    def retry_after(self) -> int | None:
        return int(self.params["seconds"])


class StoreUnavailable(HallqError):
    code = "store_unavailable"
    kind = "unavailable"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__()


class StoreBusy(StoreUnavailable):
    """Another writer held the database (SQLite's one writer lock) for longer than a write may
    wait. A kind of StoreUnavailable, so every screen that says "please wait" for a database
    that is away says it for this too."""

    code = "store_busy"
    RETRY_SECONDS: ClassVar[int] = 3

    def retry_after(self) -> int | None:
        return self.RETRY_SECONDS


class StoreNotMigrated(HallqError):
    code = "store_not_migrated"
    kind = "unavailable"


class NotServed(HallqError):
    code = "not_served"
    kind = "conflict"


class AlreadyRated(HallqError):
    code = "already_rated"
    kind = "conflict"


class InvalidScore(HallqError):
    code = "invalid_score"


class NoPrinter(HallqError):
    code = "no_printer"


class UnknownPrintJob(HallqError):
    code = "unknown_print_job"
    kind = "not_found"


class WeakPassword(HallqError):
    code = "weak_password"


class InvalidUserName(HallqError):
    code = "invalid_user_name"


class UserExists(HallqError):
    code = "user_exists"
    kind = "conflict"


class UnknownHall(HallqError):
    """An account or a token for a hall that is not one of the network's."""

    code = "unknown_hall"


class NotYourHall(HallqError):
    """A hall's manager making or changing an account of another hall, or of the network."""

    code = "not_your_hall"
    kind = "forbidden"


class NetworkKiosk(HallqError):
    """A kiosk token for the network: a kiosk stands in one hall."""

    code = "network_kiosk"


class UnknownUser(HallqError):
    code = "unknown_user"
    kind = "not_found"


class BadCredentials(HallqError):
    code = "bad_credentials"
    kind = "forbidden"


class SignInLocked(HallqError):
    """Too many failed sign-ins on this account from this address: wait ``minutes``."""

    code = "sign_in_locked"
    kind = "rate_limited"


class AddressLocked(SignInLocked):
    """Too many failed sign-ins from this address on any accounts: wait ``minutes``."""

    code = "sign_in_address_locked"


class UnknownSession(HallqError):
    code = "unknown_session"
    kind = "not_found"


class UnknownRating(HallqError):
    code = "unknown_rating"
    kind = "not_found"


class InvalidFollowUp(HallqError):
    code = "invalid_follow_up"


class InvalidPeriod(HallqError):
    code = "invalid_period"


class UnknownToken(HallqError):
    code = "unknown_token"
    kind = "not_found"


# --- the staff page: accounts and the day's work profiles --------------------------------------


class NoServices(HallqError):
    """A window's work profile for the day must name at least one service."""

    code = "no_services"


class NotYourAccount(HallqError):
    """A manager changes clerks' and managers' accounts; an administrator's only an
    administrator; nobody stops their own."""

    code = "not_your_account"
    kind = "forbidden"


# --- the counter console: undoing a no-show, calling a number out of turn (特呼) ---------------


class InvalidPhone(HallqError):
    code = "invalid_phone"


class NothingToUndo(HallqError):
    """No no-show of this window's to take back: none, someone else's, or older than the undo
    allows (``seconds``)."""

    code = "nothing_to_undo"
    kind = "conflict"


class InvalidTicketNumber(HallqError):
    code = "invalid_ticket_number"


class UnknownNumber(HallqError):
    """No ticket still in line has this number."""

    code = "unknown_number"
    kind = "not_found"


class NotWaiting(HallqError):
    """The ticket is not waiting (called, served, gone): it cannot be called out of turn."""

    code = "not_waiting"
    kind = "conflict"


class CalledElsewhere(HallqError):
    """The ticket was called to another window (perhaps a moment ago)."""

    code = "called_elsewhere"
    kind = "conflict"


class NotForThisWindow(HallqError):
    """The ticket waits for a service this window does not serve."""

    code = "not_for_this_window"
    kind = "conflict"


class SentToAnotherWindow(NotForThisWindow):
    """The ticket was transferred to another window by name: only that one calls it."""

    code = "sent_to_another_window"


# --- appointments (预约) ------------------------------------------------------------------------


class UnknownBooking(HallqError):
    """No booking of this hall has this code."""

    code = "unknown_booking"
    kind = "not_found"


# --- check-in of a booking (queues.checkin) --------------------------------------------------


class InvalidCheckInKey(HallqError):
    """Neither a booking code (8 characters) nor an ID number (18 characters, the last may be X)."""

    code = "invalid_check_in_key"


class NoBookingForIdNumber(HallqError):
    """No booking made with this ID number (never repeated in the words: a public screen)."""

    code = "no_booking_for_id_number"
    kind = "not_found"


class BookingCancelled(HallqError):
    code = "booking_cancelled"
    kind = "conflict"


class AlreadyCheckedIn(HallqError):
    code = "already_checked_in"
    kind = "conflict"


class BookingNotToday(HallqError):
    code = "booking_not_today"
    kind = "conflict"


class CheckInNotYet(HallqError):
    """Earlier than ``[booking] early_minutes`` before the slot: says when check-in opens."""

    code = "check_in_not_yet"
    kind = "conflict"


class NotBookable(HallqError):
    """The matter cannot be booked (booking off, not on the kiosk, not bookable, no window)."""

    code = "not_bookable"


class NoSuchSlot(HallqError):
    """The matter has no slot then: not a day it can be booked for, or no slot starts then."""

    code = "no_such_slot"


class SlotFull(HallqError):
    code = "slot_full"
    kind = "conflict"


class BookingBarred(HallqError):
    """The person may not book until ``until``: ``why`` says which rule (a Phrase)."""

    code = "booking_barred"
    kind = "conflict"

    def details(self) -> dict[str, str]:
        return {"reason": str(self.params["reason"]), "until": str(self.params["until_at"])}


# --- text messages to visitors (短信通知) ------------------------------------------------------


class InvalidMobile(HallqError):
    """Not a mainland mobile number (11 digits, 1[3-9]…): a booking's or a ticket's number,
    which texts go to."""

    code = "invalid_mobile"


class InvalidName(HallqError):
    code = "invalid_name"


class InvalidIdNumber(HallqError):
    code = "invalid_id_number"


class BookingNotActive(HallqError):
    """The booking is cancelled, checked in or a no-show, or its slot has begun: it cannot be
    cancelled or moved."""

    code = "booking_not_active"
    kind = "conflict"


class TooManyReschedules(HallqError):
    code = "too_many_reschedules"
    kind = "conflict"


class UnknownBar(HallqError):
    code = "unknown_bar"
    kind = "not_found"


class BookingLookupsLocked(HallqError):
    """Too many booking codes that named nothing from this address: wait ``minutes``."""

    code = "booking_lookups_locked"
    kind = "rate_limited"

    def retry_after(self) -> int | None:
        return int(self.params["minutes"]) * 60


class NotifyOff(HallqError):
    """The hall sends no text messages (``[notify] enabled = false``)."""

    code = "notify_off"
    kind = "conflict"


class NotifyTooLate(HallqError):
    """The ticket is no longer waiting: there is nothing left to tell."""

    code = "notify_too_late"
    kind = "conflict"


class NotifyChangesSpent(HallqError):
    """The ticket's number was changed as often as allowed."""

    code = "notify_changes_spent"
    kind = "rate_limited"


# --- webhooks (issue 13) ------------------------------------------------------------------------


class InvalidWebhookUrl(HallqError):
    code = "invalid_webhook_url"


class WebhookUrlRefused(HallqError):
    """The URL's host is, or resolves to, an address inside the server's own network (or does
    not resolve at all)."""

    code = "webhook_url_refused"


class WebhookEventsRequired(HallqError):
    code = "webhook_events_required"


class UnknownWebhookEvent(HallqError):
    code = "unknown_webhook_event"


class WebhookSecretLength(HallqError):
    code = "webhook_secret_length"


class UnknownWebhook(HallqError):
    code = "unknown_webhook"
    kind = "not_found"


class UnknownDelivery(HallqError):
    code = "unknown_delivery"
    kind = "not_found"


class WebhookInactive(HallqError):
    code = "webhook_inactive"
    kind = "conflict"


class DeliveryNotFailed(HallqError):
    code = "delivery_not_failed"
    kind = "conflict"
