"""What the use cases answer and the screens show of a ticket or a window: plain values.

A ticket's view is built in one place, :func:`ticket_view`, from its current step as one row
(:data:`queues.line.STEP_ROW`). Nothing here touches the database, so a print agent can
read a ticket without SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from queues.rules.lifecycle import Status

if TYPE_CHECKING:
    from queues.hall.config import HallConfig
    from queues.rules.eta import Prediction


@dataclass(frozen=True)
class TicketView:
    id: str
    number: str
    service: str
    zone: str
    priority: str
    status: str
    issued_at: datetime
    requested_service: str
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    window: int | None = None
    target_window: int | None = None
    recalls: int = 0
    outcome: str | None = None
    promised_date: date | None = None
    ahead: int | None = None
    eta_minutes: int | None = None
    service_name_zh: str = ""
    service_name_en: str = ""
    rating: int | None = None
    """The visitor's score, once rated."""

    @property
    def status_url(self) -> str:
        return f"/t/{self.id}"


@dataclass(frozen=True)
class WindowView:
    id: int
    zone: str
    department_zh: str
    department_en: str
    services: list[str]
    state: str
    state_reason: str | None
    state_since: datetime | None
    current: TicketView | None


def ticket_view(
    cfg: HallConfig,
    row: Mapping[str, Any],
    prediction: Prediction | None = None,
    rating: int | None = None,
) -> TicketView:
    """A ticket's view from its step row; people ahead and the expected wait only while it
    waits."""
    svc = cfg.service(row["service_code"])
    waiting = row["status"] == Status.WAITING
    return TicketView(
        id=row["public_id"],
        number=row["number"],
        service=row["service_code"],
        zone=svc.zone if svc else "",
        priority=row["priority"],
        status=row["status"],
        issued_at=row["issued_at"],
        requested_service=row["requested_service_code"],
        called_at=row["called_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        window=row["window_id"],
        target_window=row["target_window_id"],
        recalls=row["recalls"],
        outcome=row["outcome"],
        promised_date=row["promised_date"],
        ahead=prediction.ahead if waiting and prediction else None,
        eta_minutes=prediction.eta_minutes if waiting and prediction else None,
        service_name_zh=svc.name.zh if svc else row["service_code"],
        service_name_en=svc.name.en if svc else row["service_code"],
        rating=rating,
    )
