"""Shared by the benchmarks: fresh databases, a running server, and honest statistics."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import HALL_FILE, free_port, postgres_schema, prepare, serve  # noqa: E402

__all__ = ["HALL_FILE", "ROOT", "free_port", "fresh_database", "machine", "percentile", "prepare"]
__all__ += ["district_hall", "running_server", "summary"]

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def district_hall(code: str) -> str:
    """The shipped hall file (config/hall.toml: 31 services, 35 windows) as a district-size hall
    of its own, its code changed to ``code``: the text of its hall file."""
    shipped = HALL_FILE.read_text(encoding="utf-8")
    return shipped.replace('code = "district"', f'code = "{code}"', 1)


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


@contextmanager
def fresh_database(kind: str, hall: Path = HALL_FILE) -> Iterator[str]:
    """A migrated database with ``hall`` (the default hall's file): SQLite in a temp dir, or a
    PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            prepare(url, hall)
            yield url
        return
    with postgres_schema(os.environ.get("HALLQ_BENCH_POSTGRES_URL", PG_DEFAULT), hall) as url:
        yield url


def headless_chrome(width: int = 1920, height: int = 1080, *, new: bool = True) -> Any:
    """Debian's Chromium, headless, at a wallboard's size."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new" if new else "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--disable-background-networking",
        "--no-first-run",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


@contextmanager
def running_server(url: str, **env: str) -> Iterator[str]:
    """``hallq serve`` in a child process on ``url``; answers its base URL once healthy."""
    port = free_port()
    process = serve(url, port, hall=HALL_FILE, **env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def timed(func: Callable[[], object], runs: int, *, warm_up: bool = False) -> list[float]:
    """Seconds of each of ``runs`` calls of ``func`` (after one call not counted, if
    ``warm_up``: caches and compiled statements made)."""
    if warm_up:
        func()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        out.append(time.perf_counter() - began)
    return out
