"""Whether a ticket for a service may be taken now: one decision, for the kiosk's buttons and for
the issue itself.

In order: the service must be in the hall file and on the kiosk (staff may issue the services
reached only by transfer); the hall must be giving out tickets (its hours, holidays and make-up
working days; ``open_always`` lifts both this and the next); the service must be offered on
today's weekday; and some window must serve the desk a visitor goes to first.

Once the ticket's expected wait is known (:func:`late`), a wait that runs past closing time is
warned about or refused, as ``[rules] late_wait`` says, on every path a ticket is asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from queues.hall.config import WEEKDAYS, HallConfig, Service

Late = Literal["warn", "refuse"]
Refusal = Literal["unknown_service", "hall_closed", "service_not_offered", "no_window_for_service"]


def first_desk(cfg: HallConfig, svc: Service) -> Service:
    """The service a ticket for ``svc`` queues for first (the unified desk, or itself)."""
    first = cfg.service(svc.first_step) if svc.first_step else svc
    assert first is not None  # the hall file's references are checked when it is loaded
    return first


def refusal(
    cfg: HallConfig, code: str, local: datetime, *, staff: bool = False, open_always: bool = False
) -> Refusal | None:
    """Why a ticket for service ``code`` may not be taken at the hall's local time ``local``,
    or None when it may."""
    svc = cfg.service(code)
    if svc is None or not (svc.kiosk or staff):
        return "unknown_service"
    if not open_always:
        if not cfg.hours.issuing(local):
            return "hall_closed"
        if svc.days and WEEKDAYS[local.weekday()] not in svc.days:
            return "service_not_offered"
    if not cfg.windows_serving.get(first_desk(cfg, svc).code):
        return "no_window_for_service"
    return None


def late(
    cfg: HallConfig, local: datetime, eta_minutes: int | None, *, open_always: bool = False
) -> Late | None:
    """Whether a ticket taken at the local time ``local`` and expected to wait ``eta_minutes``
    is called too late: after closing time less ``rules.late_wait_margin_minutes``. Answers the
    hall file's ``rules.late_wait`` then (``warn`` or ``refuse``), or None: in time, no known
    wait, the rule off, or a hall open round the clock (``open_always``: no closing time)."""
    rule = cfg.rules.late_wait
    if rule == "off" or eta_minutes is None or open_always:
        return None
    closing = local.replace(
        hour=cfg.hours.close.hour, minute=cfg.hours.close.minute, second=0, microsecond=0
    ) - timedelta(minutes=cfg.rules.late_wait_margin_minutes)
    return rule if local + timedelta(minutes=eta_minutes) > closing else None
