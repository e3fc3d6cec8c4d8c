"""Bookings written straight into a test's database, as queues.bookings would have made them:
what the check-in, the kiosk and the booking figures start from."""

from __future__ import annotations

from datetime import datetime

from queues.context import Context
from queues.store.models import Booking


def book(
    ctx: Context,
    code: str,
    slot: datetime,
    *,
    service: str = "tax",
    status: str = "booked",
    id_hash: str | None = None,
    minutes: int = 30,
    made: datetime | None = None,
) -> int:
    """A booking of ``service`` at ``slot`` (an aware datetime), answered by its id."""
    with ctx.db.write() as s:
        b = Booking(
            code=code,
            service_code=service,
            day=ctx.business_day(slot),
            slot_start=slot,
            slot_minutes=minutes,
            name="张三",
            phone="13800000000",
            id_hash=id_hash,
            lang="zh",
            status=status,
            created_at=made or slot.replace(day=1),
            cancelled_at=slot if status == "cancelled" else None,
            person_key="p" * 64,
            reschedules=0,
        )
        s.add(b)
        s.flush()
        return b.id


def booking(ctx: Context, code: str) -> Booking:
    with ctx.db.read() as s:
        from sqlalchemy import select

        found = s.scalar(select(Booking).where(Booking.code == code))
        assert found is not None
        s.expunge(found)
        return found
