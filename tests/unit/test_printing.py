"""Print jobs and the print worker: a printer that is off, out of paper or gone never loses a
ticket, and every job prints once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.worker import PrintWorker
from queues import outbox, printjobs, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.read import tickets
from queues.store.models import Event, Printer, PrintJob
from tests.support import PAPER_OUT, Clock, FakePrinter

KIOSK = "k1"  # names no printer in tests/halls/main.toml: it prints on the worker's default one


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def worker_for(ctx: Context, uri: str) -> PrintWorker:
    return PrintWorker(ctx, default_uri=uri, base_url="http://hall.test")


def jobs(ctx: Context) -> list[PrintJob]:
    with ctx.db.read() as s:
        return list(s.scalars(select(PrintJob).order_by(PrintJob.id)))


def test_ticket_reaches_the_network_printer(ctx: Context, printer: FakePrinter) -> None:
    t = services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK)).ticket
    assert worker_for(ctx, printer.uri).run_once() == 1
    out = printer.received()
    assert t.number == "T001"
    assert b"T001" in out and "税务登记与申报".encode("gb18030") in out
    (job,) = jobs(ctx)
    assert job.status == "done" and job.printed_at is not None
    state = printjobs.state_of(ctx, t.id)
    assert (state.status, state.printer_state) == ("done", "ok")


def test_printer_off_then_on_prints_when_it_returns(
    ctx: Context, printer: FakePrinter, clock: Clock
) -> None:
    printer.stop()  # switched off
    worker = worker_for(ctx, printer.uri)
    t = services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK)).ticket
    assert worker.run_once() == 0
    (job,) = jobs(ctx)
    assert job.status == "pending" and job.attempts == 1 and "switched on" in job.last_error
    assert tickets.ticket(ctx, t.id).status == "waiting"  # the ticket stands
    state = printjobs.state_of(ctx, t.id)
    assert state.printer_state == "fault" and state.error
    assert worker.run_once() == 0  # not due again before its back-off
    printer.start()  # switched on again
    clock.advance(seconds=3)
    assert worker.run_once() == 1
    assert b"T001" in printer.received()
    assert jobs(ctx)[0].status == "done"
    with ctx.db.read() as s:
        assert s.get(Printer, (ctx.hall, KIOSK)).state == "ok"


def test_paper_out_is_not_printed_and_waits_for_paper(
    ctx: Context, printer: FakePrinter, clock: Clock
) -> None:
    printer.paper = PAPER_OUT
    worker = worker_for(ctx, printer.uri)
    services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))  # T001
    assert worker.run_once() == 0
    assert printer.wait_for(1, timeout=0.3) == []  # asked about the paper, printed nothing
    (job,) = jobs(ctx)
    assert job.status == "pending" and "out of paper" in job.last_error
    with ctx.db.read() as s:
        assert s.get(Printer, (ctx.hall, KIOSK)).paper == "out"
    printer.paper = b"\x12"  # a new roll
    clock.advance(seconds=3)
    assert worker.run_once() == 1 and b"T001" in printer.received()


def test_one_broken_printer_does_not_hold_up_another(ctx: Context, printer: FakePrinter) -> None:
    good = FakePrinter().start()
    try:
        worker = worker_for(ctx, printer.uri)
        printer.stop()
        worker._printers["k2"] = worker_for(ctx, good.uri).printer_for("k2")
        services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
        services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
        printed = services.issue(ctx, "tax", by=Requester.at_kiosk("k2")).ticket
        assert worker.run_once() == 1
        assert printed.number == "T003" and b"T003" in good.received()
        assert [j.status for j in jobs(ctx)] == ["pending", "pending", "done"]
    finally:
        good.stop()


# Window 5 calls tax (tests/halls/main.toml).


def test_job_of_a_ticket_already_called_is_cancelled(ctx: Context, printer: FakePrinter) -> None:
    services.resume(ctx, 5, "clerk:test")
    services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
    services.call_next(ctx, 5, "clerk:test")
    assert worker_for(ctx, printer.uri).run_once() == 0
    assert jobs(ctx)[0].status == "cancelled" and printer.wait_for(1, timeout=0.3) == []


def test_reprint_prints_again_marked_as_a_reprint(ctx: Context, printer: FakePrinter) -> None:
    t = services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK)).ticket
    worker = worker_for(ctx, printer.uri)
    worker.run_once()
    printjobs.reprint(ctx, t.id, "clerk:test")
    assert worker.run_once() == 1
    printed = printer.wait_for(2)
    assert len(printed) == 2 and "补打".encode("gb18030") in printed[1]
    with ctx.db.read() as s:
        assert s.scalar(select(Event.actor).where(Event.kind == "reprint")) == "clerk:test"


def test_reprint_refused_once_the_ticket_is_called(ctx: Context) -> None:
    from queues import errors

    services.resume(ctx, 5, "clerk:test")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK)).ticket
    services.call_next(ctx, 5, "clerk:test")
    with pytest.raises(errors.WrongState):
        printjobs.reprint(ctx, t.id, "clerk:test")


def test_a_claimed_job_goes_to_one_worker_only(ctx: Context) -> None:
    services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
    first = printjobs.claim(ctx, "worker-a")
    second = printjobs.claim(ctx, "worker-b")
    assert len(first) == 1 and second == []


def test_a_claim_never_answered_is_offered_again_after_the_lease(
    ctx: Context, clock: Clock
) -> None:
    services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
    (task,) = printjobs.claim(ctx, "worker-that-died")
    clock.advance(seconds=30)
    assert printjobs.claim(ctx, "worker-b") == []
    clock.advance(seconds=31)
    (again,) = printjobs.claim(ctx, "worker-b")
    assert again.job_id == task.job_id and again.attempts == 2


def test_reporting_success_twice_changes_nothing(ctx: Context) -> None:
    services.issue(ctx, "tax", by=Requester.at_kiosk(KIOSK))
    (task,) = printjobs.claim(ctx, "w")
    printjobs.succeeded(ctx, task.job_id, "w")
    printjobs.succeeded(ctx, task.job_id, "w")
    with ctx.db.read() as s:
        assert s.scalars(select(Event.kind).where(Event.kind == "printed")).all() == ["printed"]


def test_back_off_grows_to_a_minute() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 9)] == [
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


def test_agent_kiosks_are_left_to_their_agent(ctx: Context, printer: FakePrinter) -> None:
    from queues.hall import config

    text = config.HallConfig.model_dump(ctx.config)
    text["kiosks"][0]["agent"] = True  # k1
    ctx.config = config.HallConfig.model_validate(text)
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    worker = worker_for(ctx, printer.uri)
    assert worker.run_once() == 0 and jobs(ctx)[0].status == "pending"
    assert len(printjobs.claim(ctx, "agent:k1", kiosks=["k1"])) == 1


def test_printing_waits_for_the_database(ctx: Context) -> None:
    from queues.store.db import Database

    ctx.db = Database("postgresql://nobody@127.0.0.1:1/none")
    worker = worker_for(ctx, "dummy:")
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive()  # it waits; it does not die
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
