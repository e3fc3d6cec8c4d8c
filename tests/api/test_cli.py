"""The hallq command: set-up, tokens, config checks, and a real server answering.

The commands run on the tests' hall (tests/halls/main.toml); the last test of a server answering
is `make run` as shipped, on the seed network (config/network.toml).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from queues.access import staff
from queues.access.tokens import authenticate
from queues.context import Context
from queues.hall import config as hall_config
from queues.store.db import Database
from tests.support import MAIN_HALL, ROOT, free_port, make_context, wait_healthy


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "HALLQ_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "HALLQ_CONFIG": str(MAIN_HALL),
    }


def run(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_help_lists_the_commands() -> None:
    code, out = run({}, "--help")
    assert code == 0
    for command in ("serve", "init-db", "check-config", "token"):
        assert command in out


def test_init_db_then_token_create_prints_a_working_token(env: dict[str, str]) -> None:
    code, out = run(env, "init-db")
    assert code == 0 and "database ready" in out
    code, out = run(env, "token", "create", "--role", "clerk", "--name", "window-5")
    assert code == 2 and "--windows" in out  # a clerk token says where it works
    code, out = run(
        env, "token", "create", "--role", "clerk", "--name", "window-5", "--windows", "5,6"
    )
    assert code == 0
    token = out.strip().splitlines()[-1]
    ctx = make_context(env["HALLQ_DATABASE_URL"])
    who = authenticate(ctx, token)
    ctx.db.dispose()
    assert who is not None and (who.role, who.name, who.windows) == ("clerk", "window-5", (5, 6))


def test_token_create_rejects_an_unknown_role(env: dict[str, str]) -> None:
    code, out = run(env, "token", "create", "--role", "janitor")
    assert code == 2 and "janitor" in out


def test_check_config_ok_and_broken(tmp_path: Path) -> None:
    code, out = run({}, "check-config", str(MAIN_HALL))
    assert code == 0
    assert "新区政务服务中心 (New District Service Centre), 3 zones, 10 services" in out
    assert "12 windows, time zone Asia/Shanghai" in out
    bad = tmp_path / "hall.toml"
    bad.write_text(MAIN_HALL.read_text(encoding="utf-8").replace('prefix = "T"', 'prefix = "t"'))
    code, out = run({}, "check-config", str(bad))
    assert code == 2
    assert "line" in out and "prefix" in out and "Traceback" not in out


def test_serve_refuses_an_unmigrated_database(env: dict[str, str]) -> None:
    code, out = run(env, "serve")
    assert code == 2 and "hallq init-db" in out


def test_bad_environment_value_is_named(env: dict[str, str]) -> None:
    code, out = run({**env, "HALLQ_PORT": "eighty"}, "serve")
    assert code == 2 and "HALLQ_PORT" in out


def test_bad_hall_file_stops_start_up_with_its_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "hall.toml"
    bad.write_text(MAIN_HALL.read_text(encoding="utf-8").replace('open = "09:00"', 'open = "nine"'))
    code, out = run({**env, "HALLQ_CONFIG": str(bad)}, "init-db")
    assert code == 2 and "hours.open" in out and "Traceback" not in out


def test_project_code_add(env: dict[str, str]) -> None:
    run(env, "init-db")
    code, out = run(
        env, "project-code", "add", "KP-1", "--name", "新材料产业园", "--until", "2027-06-30"
    )
    assert code == 0 and "KP-1" in out
    code, out = run(env, "project-code", "add", "KP-2", "--name", "x", "--until", "June")
    assert code == 2 and "not a date" in out


def test_user_sessions_are_listed_and_ended(env: dict[str, str]) -> None:
    run(env, "init-db")
    result = CliRunner().invoke(
        main,
        ["user", "add", "wang", "--role", "clerk", "--password-stdin"],
        env=env,
        input="a good password\n",
    )
    assert result.exit_code == 0
    ctx = Context(db=Database(env["HALLQ_DATABASE_URL"]), config=hall_config.load(MAIN_HALL))
    try:
        desk = staff.sign_in(ctx, "wang", "a good password", "10.0.0.20", "Firefox/140").token
        staff.sign_in(ctx, "wang", "a good password", "10.0.0.77", "Mobile Safari")
        code, out = run(env, "user", "sessions", "wang")
        assert code == 0 and "10.0.0.20" in out and "Mobile Safari" in out
        code, out = run(env, "user", "sign-out", "wang")
        assert code == 0 and "wang: 2 sessions ended" in out
        assert staff.session_user(ctx, desk) is None
        code, out = run(env, "user", "sessions", "wang")
        assert code == 0 and "no live sessions" in out
        code, out = run(env, "user", "sessions", "wang", "--all")
        assert out.count("(ended)") == 2
        code, out = run(env, "user", "sign-out", "zhao")
        assert code == 2 and "zhao" in out
    finally:
        ctx.db.dispose()


def test_make_run_starts_the_shipped_hall_and_answers_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make run` does (`hallq init-db`, `hallq serve`) with the settings as shipped: no
    HALLQ_CONFIG, so the halls are the seed network's (only the database is the test's own):
    the district centre at the root, a town and a village point under their codes."""
    monkeypatch.chdir(ROOT)  # where `make run` runs
    database = f"sqlite:///{tmp_path}/make-run.db"
    code, out = run({"HALLQ_DATABASE_URL": database, "HALLQ_CONFIG": None}, "init-db")
    assert code == 0 and "district: hall file applied (zones 3, services 31" in out
    assert "windows 35 changed" in out and "zhuban: hall file applied" in out
    port = free_port()
    shipped = {k: v for k, v in os.environ.items() if k != "HALLQ_CONFIG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**shipped, "HALLQ_DATABASE_URL": database},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", 30, process)
        for page in ("/", "/h/zhuban/kiosk", "/h/cuizhu/take", "/api/v1/halls"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=5) as r:
                assert r.status == 200, page
    finally:
        process.send_signal(signal.SIGINT)
        out = process.communicate(timeout=15)[0]
    assert f"http://127.0.0.1:{port}/" in out  # the screens' addresses are printed
    assert "openapi.json" in out


def test_context_with_unreachable_database_reports_it() -> None:
    ctx = Context(
        db=Database("postgresql://nobody@127.0.0.1:1/none"), config=make_context("sqlite://").config
    )
    assert ctx.db.ping() is False


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "worker"],
        cwd=ROOT,
        env={**os.environ, **env, "HALLQ_PRINTER": "dummy:"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def _wait_for(path: Path, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text():
            return True
        time.sleep(0.2)
    return False


def test_two_workers_one_scheduler(env: dict[str, str], tmp_path: Path) -> None:
    """Two `hallq worker` processes on one database: one runs the jobs, the other waits and
    takes over when the first is killed."""
    assert run(env, "init-db")[0] == 0
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(env, first_log)
    second = None
    try:
        assert _wait_for(first_log, "worker runs the scheduler", 30), first_log.read_text()
        second = _worker(env, second_log)
        assert _wait_for(second_log, "another process runs the scheduler", 30)
        assert "worker runs the scheduler" not in second_log.read_text()
        first.send_signal(signal.SIGKILL)  # no goodbye: the lock goes with the process
        first.wait(timeout=10)
        assert _wait_for(second_log, "worker runs the scheduler", 15), second_log.read_text()
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(timeout=15)


def test_rollup_counts_past_days_again(env: dict[str, str]) -> None:
    """After an upgrade that counts a new figure, ``hallq rollup`` counts past days again."""
    from datetime import date

    from sqlalchemy import delete, select

    from queues import services
    from queues.store.models import DailyStat
    from tests.support import Clock, beijing

    assert run(env, "init-db")[0] == 0
    clock = Clock(beijing(2026, 11, 24, 9, 0))
    ctx = make_context(env["HALLQ_DATABASE_URL"], clock)
    services.issue(ctx, "tax")
    clock.set(beijing(2026, 11, 24, 9, 45))
    services.expire_day(ctx, date(2026, 11, 24))  # left after 45 minutes, never called: late
    with ctx.db.write() as s:
        s.execute(delete(DailyStat))
    ctx.db.dispose()
    code, out = run(env, "rollup", "--since", "2026-11-01")
    assert code == 0 and "rolled up 1 day(s) from 2026-11-01" in out
    ctx = make_context(env["HALLQ_DATABASE_URL"], clock)
    with ctx.db.read() as s:
        rows = s.execute(select(DailyStat.issued, DailyStat.late_uncalled)).all()
    ctx.db.dispose()
    assert rows == [(1, 1)]  # tax: issued once, and its step left late without a call
    code, out = run(env, "rollup", "--since", "24/11/2026")
    assert code != 0 and "--since '24/11/2026' is not a date like 2026-01-05" in out


def test_init_db_and_simulate_fill_every_hall_of_the_network(tmp_path: Path) -> None:
    """`hallq init-db` loads every hall of the shipped network; `hallq simulate` plays each
    hall's days, the towns with fewer visitors than the district centre."""
    from sqlalchemy import func, select

    from queues.store.models import Ticket, Window

    env = {
        "HALLQ_DATABASE_URL": f"sqlite:///{tmp_path}/network.db",
        "HALLQ_CONFIG": str(ROOT / "config" / "network.toml"),
    }
    code, out = run(env, "init-db")
    assert code == 0
    applied = [
        line.split(":")[0].strip() for line in out.splitlines() if "hall file applied" in line
    ]
    assert applied[:4] == ["district", "zhuban", "huanban", "jingban"] and len(applied) == 15
    code, out = run(env, "simulate", "--days", "7", "--start", "2026-11-23", "--workers", "1")
    assert code == 0, out
    db = Database(env["HALLQ_DATABASE_URL"])
    with db.read() as s:
        tickets = {
            h: n for h, n in s.execute(select(Ticket.hall, func.count()).group_by(Ticket.hall))
        }
        windows = {
            h: n for h, n in s.execute(select(Window.hall, func.count()).group_by(Window.hall))
        }
    db.dispose()
    assert windows["district"] == 35 and windows["cuizhu"] == 2
    towns = ["zhuban", "huanban", "jingban", "sunban", "zhangcun", "yangting", "wenquan", "qiaotou"]
    assert all(tickets.get(town, 0) > 0 for town in towns)
    assert all(tickets["district"] > 3 * tickets[town] for town in towns)


def test_the_background_work_serves_every_hall(sqlite_url: str, tmp_path: Path) -> None:
    """`hallq serve` and `hallq worker` run each hall's jobs and print each hall's tickets: the
    town's slips point to the town's pages (/h/town) and its journal is its own."""
    from cli import _background
    from runtime.settings import Settings
    from tests.support import make_network

    network = make_network(sqlite_url)
    journal = tmp_path / "print-journal.jsonl"
    settings = Settings(printer="dummy:", print_journal=str(journal))
    runner = _background(network, settings, "http://hall.test:8050", "serve")
    workers = {name: tick.__self__ for name, tick, _ in runner.extra}
    assert set(workers) == {"new-district:print", "town:print", "notify", "webhooks"}
    assert workers["notify"].network is network  # one notifier sends every hall's texts
    assert workers["webhooks"].db is network.context().db.network  # every hall's endpoints
    assert workers["new-district:print"].base_url == "http://hall.test:8050"
    assert workers["new-district:print"].journal_path == journal
    assert workers["town:print"].base_url == "http://hall.test:8050/h/town"
    assert workers["town:print"].journal_path == tmp_path / "print-journal.town.jsonl"
    assert workers["town:print"].ctx is network.context("town")
    assert {name.split(":")[0] for name, _, _ in runner.hall_jobs()} == {"new-district", "town"}
    network.context().db.dispose()


def test_kiosk_pair_makes_a_towns_kiosk_through_the_towns_address(tmp_path: Path) -> None:
    """`hallq kiosk pair k1 --hall zhuban` prints the town's pairing link (under /h/zhuban/,
    where the pairing page is the town's); its code pairs a browser as the town's k1, which
    `kiosk list --hall zhuban` shows and the district's list does not."""
    from app import network_from
    from queues.access import devices
    from runtime.settings import Settings

    env = {
        "HALLQ_DATABASE_URL": f"sqlite:///{tmp_path}/network.db",
        "HALLQ_CONFIG": str(ROOT / "config" / "network.toml"),
    }
    assert run(env, "init-db")[0] == 0
    code, out = run(env, "kiosk", "pair", "k1", "--hall", "zhuban")
    assert code == 0, out
    link = out.strip().splitlines()[-1]
    assert link.startswith("http") and "/h/zhuban/pair/" in link
    network = network_from(Settings.from_env(env))
    kiosk, _ = devices.pair(network.context("zhuban"), link.rsplit("/", 1)[1])
    network.context().db.network.dispose()
    assert kiosk == "k1"
    code, town = run(env, "kiosk", "list", "--hall", "zhuban")
    assert code == 0 and " k1 " in town and "paired" in town
    assert run(env, "kiosk", "list")[1].strip() == ""  # the district has no paired browser
    code, out = run(env, "kiosk", "pair", "k1", "--hall", "nowhere")
    assert code != 0 and "nowhere" in out
