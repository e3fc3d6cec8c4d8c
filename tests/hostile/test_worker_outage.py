"""The background worker through a database outage, and a runner that dies (issue 5): it waits
for the database and takes the lock again; a dead runner takes its process down, non-zero, so
that systemd restarts it instead of leaving a live process that does nothing."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from queues import printjobs, services
from queues.access.requesters import Requester
from runtime.vital import vital
from tests.support import MAIN_HALL, ROOT, free_port, make_context, postgres_url, prepare

OUTAGE_SECONDS = 15.0
RUNS = "worker runs the scheduler"

# A runner with a fault in it, put in by the test (production code has no switch for it).
BROKEN_RUNNER = """
import sys
from runtime import scheduler

def _serve(self):
    raise RuntimeError("a fault in the runner")

scheduler.Runner._serve = _serve
from cli import main
main(sys.argv[1:])
"""


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_CONFIG": str(MAIN_HALL),
        "HALLQ_PRINTER": "dummy:",
        "HALLQ_OPEN_ALWAYS": "1",
        "HALLQ_PRINT_JOURNAL": str(tmp_path / f"journal-{uuid.uuid4().hex[:6]}.jsonl"),
    }


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


# --- a runner that dies ends its process --------------------------------------------------------


def test_a_vital_thread_that_raises_ends_the_process_with_status_70(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ended: list[int] = []

    def broken() -> None:
        raise RuntimeError("a fault in the runner")

    with caplog.at_level(logging.CRITICAL, logger="hallq.vital"):
        thread = threading.Thread(target=vital(broken, "the runner", end=ended.append))
        thread.start()
        thread.join(10)
    assert ended == [70]
    assert "the runner died" in caplog.text and "a fault in the runner" in caplog.text

    stopped = threading.Thread(target=vital(lambda: None, "a runner asked to stop", ended.append))
    stopped.start()
    stopped.join(10)
    assert ended == [70]  # a thread that returns ends nothing


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_a_dead_runner_ends_the_process_non_zero(
    command: str, sqlite_url: str, tmp_path: Path
) -> None:
    """Before: the thread died, the process stayed up, and printing and close-out stopped."""
    env = {**_env(sqlite_url, tmp_path), "HALLQ_PORT": str(free_port())}
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_RUNNER, command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 70, done.stderr
    assert "runner thread died" in done.stderr and "a fault in the runner" in done.stderr


# --- the database away for a while --------------------------------------------------------------


@pytest.fixture
def own_database() -> Iterator[tuple[str, str, Engine]]:
    """A database of its own on the test server (so it can be shut to connections without
    touching anyone else's), migrated and loaded; dropped afterwards."""
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    name = f"hallq_outage_{uuid.uuid4().hex[:10]}"
    server = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        prepare(url, MAIN_HALL)
        yield url, name, admin
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _shut(admin: Engine, name: str) -> None:
    """The database refuses new connections and its sessions end, as in a restart or a cut."""
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )


def _open(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))


@pytest.mark.postgres
def test_workers_wait_out_a_database_outage_and_one_runs_the_jobs_again(
    own_database: tuple[str, str, Engine], tmp_path: Path
) -> None:
    url, name, admin = own_database
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers: list[subprocess.Popen] = []

    def said(text: str) -> list[int]:
        return [log.read_text().count(text) for log in logs]

    try:
        for log in logs:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "cli", "worker"],
                    cwd=ROOT,
                    env=_env(url, tmp_path),
                    stdout=subprocess.DEVNULL,
                    stderr=log.open("w"),
                )
            )
            assert _wait_for(lambda log=log: "scheduler" in log.read_text(), 30)
        assert said(RUNS) == [1, 0], said(RUNS)
        assert said("another process runs the scheduler") == [0, 1]

        _shut(admin, name)
        began = time.monotonic()
        assert _wait_for(lambda: said("lost the runner lock") == [1, 0], OUTAGE_SECONDS)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - began)))  # the outage lasts
        assert [w.poll() for w in workers] == [None, None]  # before: alive, but doing nothing
        _open(admin, name)

        # one of them takes the lock again (the other waits), and the work goes on
        assert _wait_for(lambda: sum(said(RUNS)) == 2, 60), [x.read_text() for x in logs]
        ctx = make_context(url, open_always=True)
        try:
            ticket = services.issue(ctx, "tax", by=Requester.at_kiosk("k2")).ticket

            def printed() -> bool:
                return printjobs.state_of(ctx, ticket.id).status == "done"

            assert _wait_for(printed, 30), [x.read_text() for x in logs]
        finally:
            ctx.db.dispose()
        assert [w.poll() for w in workers] == [None, None]
        assert sum(said(RUNS)) == 2  # one runner at a time: once before, once after
        # each says once that the database is away, not once per try
        assert said("cannot be reached for the runner lock") == [1, 1]
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=20)


@pytest.mark.postgres
def test_a_worker_started_while_the_database_is_away_waits_for_it(
    own_database: tuple[str, str, Engine], tmp_path: Path
) -> None:
    """As systemd restarts it during an outage: before, it exited at once, again and again."""
    url, name, admin = own_database
    _shut(admin, name)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "cli", "worker"],
        cwd=ROOT,
        env=_env(url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        assert _wait_for(lambda: "cannot be reached yet; waiting" in log.read_text(), 30)
        assert worker.poll() is None, log.read_text()
        _open(admin, name)
        assert _wait_for(lambda: RUNS in log.read_text(), 60), log.read_text()
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=20)
