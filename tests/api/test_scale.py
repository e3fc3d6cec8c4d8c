"""Several processes on PostgreSQL: gunicorn with two workers beside `hallq worker`, as
`docs/deploy.md` runs them. What works in one process must work across them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from queues.access import tokens
from queues.store.models import Step, Ticket
from tests.support import MAIN_HALL, ROOT, gunicorn, hall_file, http, make_context

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """gunicorn (2 workers, access log with the worker's pid) and one `hallq worker`."""
    # Eight kiosk threads stand for a hall's worth of kiosks: lift the per-kiosk limit (a child
    # hammering one kiosk, tested in test_security) and the per-address one.
    hall = hall_file(tmp_path, MAIN_HALL, kiosk_tickets_per_minute=0)
    env = {
        **os.environ,
        "HALLQ_DATABASE_URL": pg_url,
        "HALLQ_CONFIG": str(hall),
        "HALLQ_OPEN_ALWAYS": "1",
        "HALLQ_PRINTER": "dummy:",
    }
    worker_log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=worker_log.open("w"),
    )
    try:
        with gunicorn(pg_url, tmp_path, hall=hall, workers=2) as (base, access):
            yield base, access, worker_log
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _post(base: str, path: str, body: dict | None = None, token: str | None = None):
    return http(base, "POST", path, body, token=token)


def test_two_web_workers_and_a_worker_issue_and_call_as_one(
    pg_url: str, cluster: tuple[str, Path, Path]
) -> None:
    base, access, worker_log = cluster
    ctx = make_context(pg_url)
    clerk = tokens.create_token(ctx, "clerk", "scale-test")
    kiosk_token = tokens.create_token(ctx, "kiosk", "k2")
    # tax, real-estate, housing-fund, and three windows of social-insurance and employment
    # (tests/halls/main.toml)
    windows = [5, 6, 7, 8, 9, 10]
    for w in windows:
        assert _post(base, f"/api/v1/windows/{w}/resume", token=clerk)[0] == 200

    issued: list[str] = []
    called: list[str] = []
    problems: list[str] = []
    lock = threading.Lock()
    services_asked = ["tax", "real-estate", "housing-fund", "social-insurance", "employment"]

    def kiosk(i: int) -> None:
        for n in range(15):
            status, body = _post(
                base, "/api/v1/tickets", {"service": services_asked[(i + n) % 5]}, kiosk_token
            )
            with lock:
                if status == 201:
                    issued.append(body["number"])
                else:
                    problems.append(f"issue {status} {body}")

    def clerk_at(window: int) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, body = _post(base, f"/api/v1/windows/{window}/call-next", token=clerk)
            if status == 200:
                with lock:
                    called.append(body["number"])
                _post(base, f"/api/v1/windows/{window}/finish", {"outcome": "done"}, clerk)
            elif status == 204:
                time.sleep(0.05)
            else:
                with lock:
                    problems.append(f"call {status} {body}")
                return

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=clerk_at, args=(w,)) for w in windows]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    assert problems == []
    assert len(issued) == 120 and len(set(issued)) == 120  # no number twice
    assert len(called) == len(set(called))  # no ticket called twice
    with ctx.db.read() as s:
        stored = s.execute(select(Ticket.prefix, Ticket.seq)).all()
        statuses = Counter(s.scalars(select(Step.status)))
    by_prefix: dict[str, list[int]] = {}
    for prefix, seq in stored:
        by_prefix.setdefault(prefix, []).append(seq)
    for prefix, seqs in by_prefix.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), prefix  # contiguous, from 1
    assert statuses["done"] == len(called)
    assert statuses["done"] + statuses["waiting"] == 120

    pids = {line.split()[0] for line in access.read_text().splitlines() if "/api/v1/" in line}
    assert len(pids) == 2  # both web workers took part

    text = worker_log.read_text()
    assert "worker runs the scheduler" in text
    ctx.db.dispose()


def test_a_second_worker_on_postgresql_waits(pg_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "HALLQ_DATABASE_URL": pg_url, "HALLQ_PRINTER": "dummy:"}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = []
    try:
        for log in logs:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "cli", "worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log.open("w"),
                )
            )
            time.sleep(3)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(
            "scheduler" in log.read_text() for log in logs
        ):
            time.sleep(0.2)
        texts = [log.read_text() for log in logs]
        assert sum("worker runs the scheduler" in x for x in texts) == 1, texts
        assert sum("another process runs the scheduler" in x for x in texts) == 1
        procs[0].kill()  # the advisory lock goes with its connection
        procs[0].wait(timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "worker runs" not in logs[1].read_text():
            time.sleep(0.2)
        assert "worker runs the scheduler" in logs[1].read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=15)
