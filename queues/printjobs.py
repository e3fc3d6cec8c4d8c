"""Print jobs: a ticket's slip, written with the ticket and delivered after commit.

A job is ``pending`` until a print worker (or a kiosk's print agent) claims it: the claim makes it
``printing`` and stamps who took it and when. The worker then reports ``done`` or a failure; a
failure puts the job back to ``pending`` with a later ``next_attempt_at`` (2, 4, 8 … seconds, at
most a minute), so a printer that is off, unplugged or out of paper never loses a ticket: it
prints when the printer is back. A claim that is never answered (the worker died mid-job) may
be taken again after ``LEASE``. A job whose ticket is no longer waiting is cancelled instead of
printed: the visitor has been called or has gone.

A failure is the printer's (off, out of paper, not answering: the job waits for the printer as
long as it takes) or the job's own (its slip cannot be made or drawn: trying forever would only
hold a printer up). After ``MAX_JOB_FAULTS`` failures of its own a job is ``failed``, with its
reason, for staff to see (:func:`failed_jobs`) and reprint once the cause is put right; the
visitor already has the number on the kiosk's screen. Every failure is named by a code of
``FAULTS`` (words in the catalogue under ``fault.<code>``) beside the technical message.

Each function is one transaction; printing and its faults are also written to ``printers``, the
last known state of each kiosk's printer, for staff and the dashboard. A printer is not shown
``ok`` while one of its jobs is being retried for a fault of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, false, or_, select, update
from sqlalchemy.orm import Session

from queues import errors, outbox
from queues.answers import TicketView
from queues.context import Context
from queues.line import answer, current_row, current_row_of
from queues.rules import policy
from queues.rules.lifecycle import Status
from queues.store import events
from queues.store.db import insert_for
from queues.store.models import Booking, Printer, PrintJob, Ticket
from queues.store.scope import hall_of
from queues.text import slip

LEASE = timedelta(seconds=60)
MAX_JOB_FAULTS = 3
"""Failures of a job's own after which it is given up (``failed``); the printer's never count."""
PAPER_STATES = ("ok", "low", "out", "unknown")
FAULTS = (
    "refused",
    "silent",
    "unconfirmed",
    "hung_up",
    "unreachable",
    "paper_out",
    "cannot_write",
    "other",
    "unprintable",
)
"""Why a job did not print; all but ``unprintable`` (the job's own) are the printer's."""


@dataclass(frozen=True)
class PrintTask:
    job_id: int
    kiosk: str | None
    reprint: bool
    attempts: int
    ticket: TicketView
    booked: slip.Booked | None = None
    """A booking's ticket: what its slip says of the booking."""


def _due(now: datetime) -> ColumnElement[bool]:
    return outbox.due(PrintJob, now, LEASE, taken="printing")


def _of_kiosks(kiosks: list[str | None]) -> ColumnElement[bool]:
    named = [k for k in kiosks if k is not None]
    clauses = [PrintJob.kiosk.in_(named)] if named else []
    if None in kiosks:
        clauses.append(PrintJob.kiosk.is_(None))
    return or_(false(), *clauses)


def due_kiosks(ctx: Context, *, exclude: Iterable[str] = ()) -> list[str | None]:
    """The kiosks with jobs due now (``None``: jobs that name none), but ``exclude``."""
    query = select(PrintJob.kiosk).where(_due(ctx.now())).distinct()
    excluded = list(exclude)
    if excluded:
        query = query.where(or_(PrintJob.kiosk.is_(None), PrintJob.kiosk.not_in(excluded)))
    with ctx.db.read() as s:
        return list(s.scalars(query))


def claim(
    ctx: Context,
    worker: str,
    *,
    kiosks: Iterable[str | None] | None = None,
    exclude: Iterable[str] = (),
    limit: int = 10,
) -> list[PrintTask]:
    """Take up to ``limit`` jobs that are due, for ``kiosks`` (None: any but ``exclude``)."""
    now = ctx.now()
    tasks: list[PrintTask] = []
    with ctx.db.write() as s:
        due = _due(now)
        query = select(PrintJob).where(due).order_by(PrintJob.id).limit(limit)
        if kiosks is not None:
            query = query.where(_of_kiosks(list(kiosks)))
        excluded = list(exclude)
        if excluded:
            query = query.where(or_(PrintJob.kiosk.is_(None), PrintJob.kiosk.not_in(excluded)))
        for job in s.scalars(query).all():
            row = current_row_of(s, job.ticket_id)
            if row["status"] != Status.WAITING:
                cancelled = s.execute(
                    update(PrintJob)
                    .where(PrintJob.id == job.id, due)
                    .values(status="cancelled")
                    .execution_options(synchronize_session=False)
                )
                if cancelled.rowcount == 1:  # not cancelled or taken by another worker first
                    events.record(
                        s,
                        "print_cancelled",
                        worker,
                        now,
                        ticket_id=job.ticket_id,
                        job=job.id,
                        ticket_status=row["status"],
                    )
                continue
            if not outbox.take(s, PrintJob, job.id, worker, now, LEASE, taken="printing"):
                continue  # another worker took it first
            tasks.append(
                PrintTask(
                    job_id=job.id,
                    kiosk=job.kiosk,
                    reprint=job.reprint,
                    attempts=job.attempts + 1,
                    ticket=answer(s, ctx, row),
                    booked=booked_of(s, ctx, job.ticket_id),
                )
            )
    return tasks


def booked_of(s: Session, ctx: Context, ticket_id: int) -> slip.Booked | None:
    """The booking a ticket was issued for at its check-in, as its slip tells it (the timing
    judged again from the check-in time by the same rule, :func:`policy.booked_place`)."""
    found = s.execute(
        select(Booking.slot_start, Booking.checked_in_at).where(Booking.ticket_id == ticket_id)
    ).first()
    if found is None or found.checked_in_at is None:
        return None
    grace = timedelta(minutes=ctx.config.booking.grace_minutes)
    _, timing = policy.booked_place(found.slot_start, found.checked_in_at, grace)
    return slip.Booked(slot=f"{ctx.local(found.slot_start):%H:%M}", timing=timing)


def succeeded(
    ctx: Context,
    job_id: int,
    worker: str,
    *,
    paper: str = "unknown",
    uri: str | None = None,
    kiosk: str | None = None,
) -> None:
    """The job printed. Idempotent: a second report of the same job changes nothing. With
    ``kiosk`` (a kiosk's agent reports), only that kiosk's own jobs are found."""
    now = ctx.now()
    with ctx.db.write() as s:
        job = _job(s, job_id, of_kiosk=kiosk)
        if job.status != "done":
            job.status, job.printed_at, job.last_error = "done", now, None
            job.error_code = None
            events.record(
                s, "printed", worker, now, ticket_id=job.ticket_id, job=job.id, kiosk=job.kiosk
            )
        _printer_state(s, job.kiosk, now, uri=uri, ok=True, paper=paper)


def failed(
    ctx: Context,
    job_id: int,
    worker: str,
    error: str,
    *,
    code: str = "other",
    own: bool = False,
    paper: str = "unknown",
    uri: str | None = None,
    kiosk: str | None = None,
) -> datetime | None:
    """The job did not print: ``own`` when the job itself is at fault, not the printer. It is
    tried again later; answers when (None if it is settled: done, cancelled, or now failed).
    With ``kiosk``, only that kiosk's own jobs are found (nor its printer's state touched)."""
    now = ctx.now()
    code = code if code in FAULTS else "other"
    with ctx.db.write() as s:
        job = _job(s, job_id, of_kiosk=kiosk)
        if job.status in ("done", "cancelled", "failed"):
            _printer_state(
                s, job.kiosk, now, uri=uri, ok=False, paper=paper, error=error, code=code
            )
            return None
        job.last_error, job.error_code = error[:2000], code
        job.claimed_at = None
        job.job_faults += 1 if own else 0
        if job.attempts == 1:  # one event per job, however many retries follow
            events.record(
                s,
                "print_failed",
                worker,
                now,
                ticket_id=job.ticket_id,
                job=job.id,
                kiosk=job.kiosk,
                error=error[:500],
            )
        _printer_state(s, job.kiosk, now, uri=uri, ok=False, paper=paper, error=error, code=code)
        if job.job_faults >= MAX_JOB_FAULTS:
            job.status = "failed"
            events.record(
                s,
                "print_given_up",
                worker,
                now,
                ticket_id=job.ticket_id,
                job=job.id,
                kiosk=job.kiosk,
                code=code,
                error=error[:500],
            )
            return None
        job.status = "pending"
        job.next_attempt_at = now + outbox.backoff(job.attempts)
        return job.next_attempt_at


def status(ctx: Context, job_id: int) -> str:
    with ctx.db.read() as s:
        return _job(s, job_id, lock=False).status


def _job(s: Session, job_id: int, *, lock: bool = True, of_kiosk: str | None = None) -> PrintJob:
    """The job, locked; one of another kiosk's is no job of ``of_kiosk``'s (UnknownPrintJob)."""
    job = s.get(PrintJob, job_id, with_for_update=lock)
    if job is None or (of_kiosk is not None and job.kiosk != of_kiosk):
        raise errors.UnknownPrintJob(job=job_id)
    return job


def _printer_state(
    s: Session,
    kiosk: str | None,
    now: datetime,
    *,
    uri: str | None,
    ok: bool,
    paper: str,
    error: str | None = None,
    code: str | None = None,
) -> None:
    key = (hall_of(s), kiosk or "-")
    printer = s.get(Printer, key)
    if printer is None:  # the kiosk's first report, perhaps written by another one right now
        table = Printer.__table__
        s.execute(
            insert_for(s.get_bind().dialect.name)(table)
            .values(hall=key[0], kiosk=key[1])
            .on_conflict_do_nothing(index_elements=[table.c.hall, table.c.kiosk])
        )
        printer = s.get_one(Printer, key)
    printer.uri = uri or printer.uri
    printer.paper = paper if paper in PAPER_STATES else "unknown"
    printer.updated_at = now
    if ok:
        printer.last_success_at = now
        if not _retrying_own_fault(s, kiosk):
            printer.state = "ok"
    else:
        printer.state = "fault"
        printer.last_error_at, printer.last_error = now, (error or "")[:2000]
        printer.error_code = code


def _retrying_own_fault(s: Session, kiosk: str | None) -> bool:
    """Whether a job of ``kiosk`` that failed through its own fault waits to be tried again."""
    return (
        s.scalar(
            select(PrintJob.id)
            .where(
                PrintJob.status.in_(("pending", "printing")),
                PrintJob.job_faults > 0,
                _of_kiosks([kiosk]),
            )
            .limit(1)
        )
        is not None
    )


def reprint(ctx: Context, ticket_id: str, actor: str, kiosk: str | None = None) -> int:
    """Print a waiting ticket again (the visitor lost the slip); answers the new job's id."""
    now = ctx.now()
    with ctx.db.write() as s:
        row = current_row(s, ticket_id)
        if row["status"] != Status.WAITING:
            raise errors.WrongState.of(row["number"], row["status"], "reprint")
        ticket = s.get_one(Ticket, row["ticket_id"])
        target = kiosk or ticket.kiosk
        if target is None:
            raise errors.NoPrinter(number=ticket.number)
        job = PrintJob(
            ticket_id=ticket.id, kiosk=target, created_at=now, next_attempt_at=now, reprint=True
        )
        s.add(job)
        s.flush()
        events.record(s, "reprint", actor, now, ticket_id=ticket.id, job=job.id, kiosk=target)
        return job.id


@dataclass(frozen=True)
class PrintState:
    """How a ticket's slip is doing, for the kiosk screen."""

    status: str | None
    """The newest job's status (``pending``, ``printing``, ``done``, ``cancelled``, ``failed``),
    or None."""
    attempts: int
    error: str | None
    printer_state: str
    paper: str


def state_of(ctx: Context, ticket_id: str) -> PrintState:
    with ctx.db.read() as s:
        row = current_row(s, ticket_id)
        job = s.scalar(
            select(PrintJob)
            .where(PrintJob.ticket_id == row["ticket_id"])
            .order_by(PrintJob.id.desc())
        )
        printer = s.get(Printer, (job.hall, job.kiosk)) if job is not None and job.kiosk else None
        return PrintState(
            status=job.status if job else None,
            attempts=job.attempts if job else 0,
            error=job.last_error if job else None,
            printer_state=printer.state if printer else "unknown",
            paper=printer.paper if printer else "unknown",
        )


def printers(ctx: Context) -> list[Printer]:
    """Every printer's last known state."""
    with ctx.db.read() as s:
        return list(s.scalars(select(Printer).order_by(Printer.kiosk)))


@dataclass(frozen=True)
class FailedJob:
    """A slip given up on, for staff: which ticket, where, and why."""

    job_id: int
    number: str
    kiosk: str | None
    code: str
    error: str
    attempts: int
    issued_at: datetime


def failed_jobs(ctx: Context, limit: int = 50) -> list[FailedJob]:
    """The failed jobs of today's tickets, newest first."""
    query = (
        select(PrintJob, Ticket)
        .join(Ticket, Ticket.id == PrintJob.ticket_id)
        .where(PrintJob.status == "failed", Ticket.day == ctx.business_day())
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )
    with ctx.db.read() as s:
        return [
            FailedJob(
                job_id=job.id,
                number=ticket.number,
                kiosk=job.kiosk,
                code=job.error_code or "other",
                error=job.last_error or "",
                attempts=job.attempts,
                issued_at=ticket.issued_at,
            )
            for job, ticket in s.execute(query).all()
        ]
