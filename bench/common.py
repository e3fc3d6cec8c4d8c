"""Shared by the benchmarks: fresh databases, a running server, and honest statistics."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queues import config as hall_config  # noqa: E402
from queues import migrate  # noqa: E402
from queues.db import Database  # noqa: E402
from queues.hall import apply_config  # noqa: E402

HALL_FILE = ROOT / "config" / "hall.toml"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(latencies_s: list[float]) -> str:
    ms = [x * 1000 for x in latencies_s]
    return (
        f"median {statistics.median(ms):.2f} ms, p95 {percentile(ms, 95):.2f} ms, "
        f"p99 {percentile(ms, 99):.2f} ms"
    )


def prepare(url: str) -> None:
    db = Database(url)
    migrate.upgrade(db)
    apply_config(db, hall_config.load(HALL_FILE))
    db.dispose()


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A migrated database with the default hall: SQLite in a temp dir, or a PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            prepare(url)
            yield url
        return
    base = make_url(os.environ.get("HALLQ_BENCH_POSTGRES_URL", PG_DEFAULT)).set(
        drivername="postgresql+psycopg"
    )
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    try:
        prepare(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(url: str, **env: str) -> Iterator[str]:
    """``hallq serve`` in a child process on ``url``; answers its base URL once healthy."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "HALLQ_DATABASE_URL": url,
            "HALLQ_CONFIG": str(HALL_FILE),
            "HALLQ_OPEN_ALWAYS": "1",
            "HALLQ_ISSUE_LIMIT": "0",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("hallq serve did not come up") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
