"""SQLite's writer lock held by another process (issue 13): writes give up after a few seconds
with "please wait", reads and /healthz go on answering, and nothing is half-made."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from queues import errors, services
from queues.read import boards
from queues.store.models import Event, Step, Ticket
from tests.support import MAIN_HALL, free_port, http, make_context, serve

HOLD_SECONDS = 20.0
KIOSKS = 8  # twice as many as `hallq serve` has request threads


@dataclass
class Answer:
    status: int
    code: str | None
    retry_after: str | None
    seconds: float


def _issue(base: str, request_id: str) -> Answer:
    body = json.dumps({"service": "tax", "request_id": request_id}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/tickets",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Answer(response.status, None, None, time.monotonic() - began)
    except urllib.error.HTTPError as exc:
        code = json.loads(exc.read())["error"]["code"]
        return Answer(exc.code, code, exc.headers.get("Retry-After"), time.monotonic() - began)


def _timed(base: str, path: str) -> tuple[int, object, float]:
    began = time.monotonic()
    status, body = http(base, "GET", path, timeout=60)
    return status, body, time.monotonic() - began


@contextmanager
def writer_lock_held_elsewhere(path: str) -> Iterator[threading.Event]:
    """Another program holds SQLite's writer lock (``BEGIN IMMEDIATE``) on the database until
    the event is set, at most HOLD_SECONDS: a backup tool, a script, a stuck migration."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        release.wait(HOLD_SECONDS)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join(10)


def test_a_held_writer_lock_refuses_writes_quickly_and_never_blocks_reads(
    sqlite_url: str,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(sqlite_url, port, hall=MAIN_HALL)
    request_ids = [uuid.uuid4().hex for _ in range(KIOSKS)]
    try:
        with (
            writer_lock_held_elsewhere(sqlite_url.removeprefix("sqlite:///")) as release,
            ThreadPoolExecutor(KIOSKS + 2) as pool,
        ):
            issues = [pool.submit(_issue, base, r) for r in request_ids]
            time.sleep(0.2)  # the kiosks' requests first, then a wallboard and the monitor
            board = pool.submit(_timed, base, "/api/v1/display")
            health = pool.submit(_timed, base, "/healthz")
            answers = [f.result() for f in issues]
            board_status, _, board_seconds = board.result()
            health_status, _, health_seconds = health.result()
            busy_status, busy_body, busy_seconds = _timed(base, "/healthz")
            again = _issue(base, request_ids[0])  # a kiosk tries again while it is still held
            release.set()

        # before: each issue hung 20-28 s, the board and /healthz behind them
        assert [(a.status, a.code) for a in answers] == [(503, "store_busy")] * KIOSKS
        assert all(a.retry_after is not None and int(a.retry_after) > 0 for a in answers)
        assert max(a.seconds for a in answers) < 10, [a.seconds for a in answers]
        assert board_status == 200 and board_seconds < 5, board_seconds
        assert health_status in (200, 503) and health_seconds < 5, health_seconds
        assert (busy_status, busy_body) == (503, {"status": "busy"}), busy_body
        assert busy_seconds < 5, busy_seconds
        assert (again.status, again.code) == (503, "store_busy") and again.seconds < 10

        # the lock is gone: the kiosks' retries get their tickets, and /healthz says so
        after = [_issue(base, r) for r in request_ids]
        assert [a.status for a in after] == [201] * KIOSKS
        assert http(base, "GET", "/healthz") == (200, {"status": "ok"})
    finally:
        server.terminate()
        server.wait(timeout=20)

    ctx = make_context(sqlite_url)
    with ctx.db.read() as s:
        tickets = dict(s.execute(select(Ticket.request_id, Ticket.number)).all())
        steps = s.scalar(select(func.count(Step.id)))
        issued = s.scalar(select(func.count(Event.id)).where(Event.kind == "issued"))
    ctx.db.dispose()
    assert sorted(tickets) == sorted(request_ids)  # no half-made ticket from the refused tries
    assert sorted(tickets.values()) == [f"T{n:03}" for n in range(1, KIOSKS + 1)]
    assert (steps, issued) == (KIOSKS, KIOSKS)  # one step, one event each: no leftovers


def test_healthz_is_busy_while_writes_give_up_and_ok_once_the_lock_is_free(
    sqlite_url: str,
) -> None:
    ctx = make_context(sqlite_url, open_always=True)
    try:
        assert ctx.db.health() == "ok"
        with writer_lock_held_elsewhere(sqlite_url.removeprefix("sqlite:///")) as release:
            assert ctx.db.health() == "ok"  # nobody was refused yet
            with pytest.raises(errors.StoreBusy) as refused:
                services.issue(ctx, "tax")
            assert refused.value.message("en").startswith("The system is busy")
            assert ctx.db.health() == "busy"
            assert boards.board(ctx).queues is not None  # reads go on
            release.set()
        # no write since: /healthz finds the lock free itself instead of staying busy
        assert ctx.db.health() == "ok"
        assert services.issue(ctx, "tax").ticket.number == "T001"  # the refused one left nothing
    finally:
        ctx.db.dispose()
