"""Printing in a burst: every kiosk's slips come out within its own printer's queue time.

    .venv/bin/python bench/bench_print.py [--kiosks 8] [--tickets 200] [--seconds 20]
        [--slip 2.0] [--code DIR]

``hallq worker`` (its scheduler ticks print delivery every second) runs on a fresh SQLite
database with a hall of ``--kiosks`` kiosks, each printing on its own stand-in network printer
(``tests.support.FakePrinter``) that takes ``--slip`` seconds a slip and one connection at a
time, as a raw-port printer does. ``--tickets`` tickets are taken round the kiosks, evenly over
``--seconds``, in this process.

For each slip: its delay (ticket taken → slip out of its printer), and its printer's own queue
time: when a printer that began each slip as soon as its ticket and the slip before it were
there would have finished it (its queue, its pace, nobody else's). What the worker adds is the
difference: the tick, the database, and any wait for another printer.

``--code DIR`` runs ``hallq worker`` from another checkout on the same database, to compare with
the code before a change (``git archive <commit> | tar -x -C DIR``); the database is migrated by
this checkout and stamped as that code's newest migration, whose tables it only reads and
updates. Then: wrapping one row of 10,000, 100,000 and 400,000 characters, to show it is linear.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import HALL_FILE, ROOT, fresh_database, machine, percentile
from sqlalchemy import select, text

from kiosk.ticket import _font, _wrap_pixels, wrap
from queues.context import Context
from queues.hall import config as hall_config
from queues.services import issue
from queues.store.db import Database
from queues.store.models import PrintJob
from tests.support import FakePrinter, hall_file

NUMBER = re.compile(rb"T\d{3}")


def _hall(folder: Path, printers: list[FakePrinter]) -> Path:
    """The default hall, no per-kiosk limit, its kiosks k1… each on its own printer."""
    path = hall_file(folder, HALL_FILE, kiosk_tickets_per_minute=0)
    body = path.read_text(encoding="utf-8")
    kiosks = [f"k{i + 1}" for i in range(len(printers))]
    for kiosk, printer in zip(kiosks, printers, strict=True):
        line = f'id = "{kiosk}"'
        if line in body:
            body = body.replace(line, f'{line}\nprinter = "{printer.uri}"', 1)
        else:
            body += f'\n[[kiosks]]\n{line}\nprinter = "{printer.uri}"\npaper = 80\n'
    path.write_text(body, encoding="utf-8")
    return path


def _head_of(code: Path) -> str:
    """The newest migration of the checkout at ``code``."""
    script = (
        "from alembic.script import ScriptDirectory; from queues import migrate; "
        "print(ScriptDirectory.from_config(migrate._config()).get_current_head())"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=code, check=True, capture_output=True, text=True
    ).stdout.strip()


def _wait_for_lock(database: str, worker: subprocess.Popen, seconds: float = 60) -> None:
    """Until ``hallq worker`` holds the runner lock (it writes its pid into the lock file)."""
    lock = Path(database).with_suffix(".scheduler.lock")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        if lock.exists() and lock.read_text().strip():
            return
        time.sleep(0.1)
    raise RuntimeError("hallq worker did not start")


def _stats(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):5.1f} s, p90 {percentile(values, 90):5.1f} s, "
        f"max {max(values):5.1f} s"
    )


def bench_burst(kiosks: int, tickets: int, seconds: float, slip: float, code: Path) -> list[str]:
    printers = [FakePrinter(slip_seconds=slip).start() for _ in range(kiosks)]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_database("sqlite") as url:
        folder = Path(tmp)
        hall = _hall(folder, printers)
        db = Database(url)
        if code != ROOT:
            with db.engine.begin() as conn:
                conn.execute(
                    text("UPDATE alembic_version SET version_num = :v"), {"v": _head_of(code)}
                )
        ctx = Context(db=db, config=hall_config.load(hall), open_always=True)
        env = {
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(hall),
            "HALLQ_PRINTER": "dummy:",
            "HALLQ_PRINT_JOURNAL": str(folder / "print-journal.jsonl"),
            "HALLQ_OPEN_ALWAYS": "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "worker"],
            cwd=code,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_lock(db.url.database or "", worker)
            taken: dict[bytes, tuple[int, float]] = {}  # number → (printer, when taken)
            start, began = time.monotonic(), datetime.now(UTC)
            for i in range(tickets):
                time.sleep(max(0.0, start + i * seconds / tickets - time.monotonic()))
                number = issue(ctx, "tax", kiosk=f"k{i % kiosks + 1}").ticket.number
                taken[number.encode()] = (i % kiosks, time.monotonic())
            deadline = time.monotonic() + tickets * (slip + 2) + 60
            while sum(len(p.jobs) for p in printers) < tickets and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        with db.read() as s:
            marked = [at for at in s.scalars(select(PrintJob.printed_at)) if at is not None]
        db.dispose()
    for p in printers:
        p.stop()

    out: dict[bytes, float] = {}
    for p in printers:
        for job, when in zip(p.jobs, p.printed_at, strict=True):
            found = NUMBER.search(job)  # the number is the first thing on a slip that looks so
            if found:
                out.setdefault(found.group(), when)
    queue: dict[bytes, float] = {}
    for k in range(kiosks):
        free = 0.0
        for number, (printer, when) in sorted(taken.items(), key=lambda kv: kv[1][1]):
            if printer == k:
                free = max(when, free) + slip
                queue[number] = free
    printed = [n for n in taken if n in out]
    delay = [out[n] - taken[n][1] for n in printed]
    own = [queue[n] - taken[n][1] for n in printed]
    added = [out[n] - queue[n] for n in printed]
    last = max(out[n] for n in printed) - start if printed else float("nan")
    where = "this checkout" if code == ROOT else str(code)
    lines.append(
        f"  {kiosks} kiosks, {tickets} tickets over {seconds:.0f} s, {slip:.1f} s a slip "
        f"(hallq worker from {where})"
    )
    lines.append(
        f"  slips out: {len(printed)} of {tickets}, the last {last:.1f} s after the first ticket"
    )
    if marked:
        after = (max(marked).replace(tzinfo=UTC) - began).total_seconds()
        lines.append(
            f"  jobs marked printed: {len(marked)}, the last {after:.1f} s after the first ticket"
        )
    if printed:
        lines.append(f"  delay, ticket to slip:          {_stats(delay)}")
        lines.append(f"  its printer's own queue time:   {_stats(own)}")
        lines.append(f"  added by the worker:            {_stats(added)}")
    return lines


def bench_wrap() -> list[str]:
    font = _font(hall_config.load(HALL_FILE).printing.font, 30)
    lines = []
    for name, unit in (("Latin words", "ab "), ("Chinese", "中"), ("one long word", "x")):
        times = []
        for n in (10_000, 100_000, 400_000):
            row = (unit * (n // len(unit) + 1))[:n]
            t0 = time.perf_counter()
            wrap(row, 48)
            t1 = time.perf_counter()
            _wrap_pixels(row, font, 560)
            times.append((t1 - t0, time.perf_counter() - t1))
        lines.append(
            f"  wrap a row of {name}, 10k / 100k / 400k characters: text "
            + " / ".join(f"{a * 1000:.0f}" for a, _ in times)
            + " ms, pixels "
            + " / ".join(f"{b * 1000:.0f}" for _, b in times)
            + " ms"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--slip", type=float, default=2.0, help="seconds a printer takes a slip")
    parser.add_argument("--code", type=Path, default=ROOT, help="run hallq worker from here")
    parser.add_argument("--no-wrap", action="store_true", help="leave out the wrapping figures")
    args = parser.parse_args()
    print(f"# bench_print.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    code = args.code.resolve()
    for line in bench_burst(args.kiosks, args.tickets, args.seconds, args.slip, code):
        print(line, flush=True)
    if not args.no_wrap:
        for line in bench_wrap():
            print(line, flush=True)


if __name__ == "__main__":
    main()
