"""Faults a hall lives through: a process killed mid-burst, a print worker killed mid-job, the
clock passing midnight, and a backup put back (issue 6, points 3 and 4)."""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from kiosk.worker import PrintWorker
from queues import printjobs, services
from queues.access.requesters import Requester
from queues.context import Context
from queues.read import boards, overview, rollups
from queues.store.models import PrintJob, Ticket
from tests.support import (
    MAIN_HALL,
    Clock,
    FakePrinter,
    beijing,
    free_port,
    make_context,
    serve,
)

# --- a web process killed with SIGKILL during a burst of issues --------------------------------


def _take(port: int, request_id: str) -> tuple[int, dict | None]:
    body = json.dumps({"service": "tax", "request_id": request_id}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tickets",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (OSError, http.client.HTTPException):
        return 0, None  # the server died under it, perhaps half-way through the answer


def test_sigkill_during_a_burst_loses_no_answered_ticket(any_url: str) -> None:
    port = free_port()
    server = serve(any_url, port, "--no-worker", hall=MAIN_HALL)
    answered: dict[str, str] = {}  # request id → number, for every 201 or 200
    unanswered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk() -> None:
        while not stop.is_set():
            request_id = uuid.uuid4().hex
            status, body = _take(port, request_id)
            with lock:
                if status in (200, 201) and body:
                    answered[request_id] = body["number"]
                else:
                    unanswered.append(request_id)
                    return

    threads = [threading.Thread(target=kiosk) for _ in range(6)]
    for th in threads:
        th.start()
    time.sleep(2.0)
    server.send_signal(signal.SIGKILL)  # mid-burst, no goodbye
    server.wait(timeout=10)
    stop.set()
    for th in threads:
        th.join(timeout=20)
    assert len(answered) > 20 and unanswered

    server = serve(any_url, port, "--no-worker", hall=MAIN_HALL)
    try:
        # the kiosks try again with the same request ids: each gets one ticket, never two
        for request_id in unanswered:
            status, body = _take(port, request_id)
            assert status in (200, 201)
            answered[request_id] = body["number"]
    finally:
        server.terminate()
        server.wait(timeout=20)

    ctx = make_context(any_url)
    with ctx.db.read() as s:
        stored = dict(s.execute(select(Ticket.request_id, Ticket.number)).all())
        seqs = sorted(s.scalars(select(Ticket.seq)))
    ctx.db.dispose()
    assert stored == answered  # every answered ticket exists, and nothing else does
    assert seqs == list(range(1, len(seqs) + 1))  # T001 … contiguous


# --- the print worker killed between the printer and the database ----------------------------


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def test_print_worker_killed_after_printing_prints_once(
    ctx: Context, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = FakePrinter().start()
    journal = tmp_path / "print-journal.jsonl"
    try:
        services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))

        def killed(*_args, **_kwargs) -> None:
            raise Killed

        worker = PrintWorker(ctx, printer.uri, "http://hall.test", journal_path=journal)
        with monkeypatch.context() as m:
            m.setattr(printjobs, "succeeded", killed)
            with pytest.raises(Killed):
                worker.run_once()  # printed; the process dies before the database hears
        assert len(printer.wait_for(1)) == 1
        with ctx.db.read() as s:
            assert s.scalar(select(PrintJob.status)) == "printing"

        clock.advance(minutes=2)  # past the claim's lease: the job is due again
        restarted = PrintWorker(ctx, printer.uri, "http://hall.test", journal_path=journal)
        restarted.run_once()
        restarted.run_once()
        assert len(printer.wait_for(2, timeout=0.5)) == 1  # the journal said: not printed again
        with ctx.db.read() as s:
            assert s.scalar(select(PrintJob.status)) == "done"
    finally:
        printer.stop()


def test_print_worker_killed_while_sending_prints_it_again(
    ctx: Context, clock: Clock, tmp_path: Path
) -> None:
    """Killed before the printer took the slip: the job is printed by the next run (a
    half-printed ticket is better printed again than lost)."""
    printer = FakePrinter().start()
    journal = tmp_path / "print-journal.jsonl"
    try:
        services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))
        claimed = printjobs.claim(ctx, "dead-worker")  # claimed, then the process died
        assert len(claimed) == 1
        journal.write_text(json.dumps({"job": claimed[0].job_id, "state": "printing"}) + "\n")
        worker = PrintWorker(ctx, printer.uri, "http://hall.test", journal_path=journal)
        assert worker.run_once() == 0  # still leased to the dead worker
        clock.advance(minutes=2)
        assert worker.run_once() == 1
        with ctx.db.read() as s:
            assert s.scalar(select(PrintJob.status)) == "done"
    finally:
        printer.stop()


# --- midnight ----------------------------------------------------------------------------------


def test_the_clock_passing_midnight_during_service(sqlite_url: str) -> None:
    """A 24-hour service point: a new day's numbers go on past those still waiting (no second
    T002 in the hall), visitors who took a ticket before midnight are still called (first, in
    their order), and the dashboard's today moves on."""
    clock = Clock(beijing(2026, 11, 24, 23, 58))
    ctx = make_context(sqlite_url, clock, open_always=True)
    services.resume(ctx, 5, "user:wang")  # tax (tests/halls/main.toml)
    before = [services.issue(ctx, "tax").ticket for _ in range(2)]
    services.call_next(ctx, 5, "user:wang")
    services.finish(ctx, 5, "user:wang")
    clock.set(beijing(2026, 11, 25, 0, 1))
    after = services.issue(ctx, "tax").ticket
    assert [t.number for t in before] == ["T001", "T002"] and after.number == "T003"
    assert after.ahead == 1  # yesterday's T002 is still ahead of it
    board = {q.service: q.waiting for q in boards.board(ctx).queues}
    assert board["tax"] == 2
    assert services.call_next(ctx, 5, "user:wang").id == before[1].id
    services.finish(ctx, 5, "user:wang")
    assert services.call_next(ctx, 5, "user:wang").id == after.id
    today = overview.today(ctx)
    assert today.day.isoformat() == "2026-11-25" and today.hall.issued == 1
    assert rollups.days_to_roll_up(ctx) == [date(2026, 11, 24)]  # yesterday, with T001 and T002
    ctx.db.dispose()


# --- backup and restore ------------------------------------------------------------------------


def test_backup_while_running_and_restore(sqlite_url: str, tmp_path: Path) -> None:
    env = {"HALLQ_DATABASE_URL": sqlite_url, "HALLQ_CONFIG": str(MAIN_HALL)}
    ctx = make_context(sqlite_url, open_always=True)
    kept = [services.issue(ctx, "tax").ticket.number for _ in range(3)]
    copy = tmp_path / "backups" / "hallq-2026-11-24.db"
    result = CliRunner().invoke(main, ["backup", str(copy)], env=env)
    assert result.exit_code == 0, result.output
    services.issue(ctx, "tax")  # after the backup: gone once it is restored
    again = CliRunner().invoke(main, ["backup", str(copy)], env=env)
    assert again.exit_code != 0 and "Error" in again.output  # never overwrites a backup
    ctx.db.dispose()

    result = CliRunner().invoke(main, ["restore", str(copy), "--yes"], env=env)
    assert result.exit_code == 0, result.output
    ctx = make_context(sqlite_url, open_always=True)
    with ctx.db.read() as s:
        assert list(s.scalars(select(Ticket.number).order_by(Ticket.id))) == kept
    assert services.issue(ctx, "tax").ticket.number == "T004"  # numbering goes on from there
    ctx.db.dispose()

    bogus = tmp_path / "not-a-backup.db"
    bogus.write_bytes(b"hello")
    refused = CliRunner().invoke(main, ["restore", str(bogus), "--yes"], env=env)
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_backup_of_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path) -> None:
    env = {"HALLQ_DATABASE_URL": pg_url, "HALLQ_CONFIG": str(MAIN_HALL)}
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "x.db")], env=env)
    assert result.exit_code != 0 and "pg_dump" in result.output
