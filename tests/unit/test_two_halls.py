"""Two halls in one database: numbering, the hall file's sync, close-out, the queues and the
boards of one never touch the other's. The second hall (tests/halls/town.toml) uses the same
service codes, prefixes and window numbers as the tests' hall on purpose."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, select, text

from queues import services
from queues.context import Context
from queues.errors import UnknownTicket
from queues.hall import config as hall_config
from queues.hall.sync import apply_config
from queues.read import boards, counters, tickets
from queues.rules.lifecycle import Status
from queues.store import migrate
from queues.store.db import Database
from queues.store.models import Service, Ticket, Window, Zone
from tests.support import (
    MAIN_HALL,
    TOWN_HALL,
    TUESDAY_10,
    Clock,
    issue_many,
    postgres_url,
)

TOWN_TEXT = TOWN_HALL.read_text(encoding="utf-8")


@pytest.fixture
def two(any_url: str, clock: Clock) -> Iterator[tuple[Context, Context]]:
    """The tests' hall and the town, one database, each its own context."""
    db = Database(any_url)
    apply_config(db, hall_config.load(TOWN_HALL))
    main = Context(db=db, config=hall_config.load(MAIN_HALL), clock=clock)
    town = Context(db=db, config=hall_config.load(TOWN_HALL), clock=clock)
    yield main, town
    db.dispose()


def test_each_hall_numbers_its_own_tickets(two: tuple[Context, Context]) -> None:
    main, town = two
    numbers = [
        services.issue(main, "tax").ticket.number,
        services.issue(main, "tax").ticket.number,
        services.issue(town, "tax").ticket.number,
        services.issue(main, "tax").ticket.number,
        services.issue(town, "tax").ticket.number,
    ]
    assert numbers == ["T001", "T002", "T001", "T003", "T002"]


def test_a_hall_never_sees_nor_calls_another_halls_ticket(two: tuple[Context, Context]) -> None:
    main, town = two
    ticket = services.issue(main, "tax").ticket
    with pytest.raises(UnknownTicket):
        tickets.ticket(town, ticket.id)
    services.resume(town, 1, "clerk:town")
    assert services.call_next(town, 1, "clerk:town") is None  # the town's window 1 calls tax
    services.resume(main, 5, "clerk:main")
    called = services.call_next(main, 5, "clerk:main")
    assert called is not None and called.number == "T001"
    assert [w.current for w in counters.windows(town)] == [None, None]
    assert [b.waiting for b in boards.board(town).queues] == [0, 0]


def test_a_change_in_one_hall_leaves_the_others_boards_still(
    two: tuple[Context, Context],
) -> None:
    main, town = two
    before = boards.version(town), boards.version(town, "general")
    services.issue(main, "tax")  # the tests' hall has a zone "general" too
    services.resume(main, 5, "clerk:main")
    assert (boards.version(town), boards.version(town, "general")) == before
    services.issue(town, "tax")
    assert boards.version(town, "general") > before[1]


def test_a_halls_file_touches_only_its_own_rows(two: tuple[Context, Context]) -> None:
    main, _ = two
    services.resume(main, 2, "clerk:main")
    one_window = TOWN_TEXT[: TOWN_TEXT.index("[[windows]]\nid = 2")]
    without_tax = one_window.replace('name = { zh = "税务代开发票"', 'name = { zh = "税务"')
    changed = apply_config(main.db.network, hall_config.parse(without_tax))
    assert changed["windows"] == 1 and changed["services"] == 1
    with main.db.network.read() as s:
        rows = s.execute(select(Window.hall, Window.id, Window.active, Window.state)).all()
        taxes = s.execute(select(Service.hall, Service.name_zh).where(Service.code == "tax"))
        names = {hall: name for hall, name in taxes}
        zones = s.execute(select(Zone.hall, Zone.active)).all()
    mine = sorted((r.id, r.active) for r in rows if r.hall == "new-district")
    assert mine == [(n, True) for n in range(1, 13)]
    assert sorted((r.id, r.active) for r in rows if r.hall == "town") == [(1, True), (2, False)]
    assert [r.state for r in rows if r.hall == "new-district" and r.id == 2] == ["open"]
    assert names == {"new-district": "税务登记与申报", "town": "税务"}
    assert all(active for _, active in zones)


def test_closing_out_one_hall_leaves_the_other_open(
    two: tuple[Context, Context], clock: Clock
) -> None:
    main, town = two
    for ctx, window in ((main, 5), (town, 1)):
        services.resume(ctx, window, "clerk:test")
        services.issue(ctx, "tax")
    clock.advance(days=1)
    assert services.expire_day(town) == 1
    assert [w.state for w in counters.windows(town)] == ["closed", "closed"]
    assert [w.state for w in counters.windows(main) if w.id == 5] == ["open"]
    with main.db.network.read() as s:
        left = s.execute(select(Ticket.hall, Ticket.number).join(Ticket.step)).all()
        statuses = {t.hall: t.step.status for t in s.scalars(select(Ticket).order_by(Ticket.hall))}
    assert sorted(left) == [("new-district", "T001"), ("town", "T001")]
    assert statuses == {"new-district": Status.WAITING, "town": Status.EXPIRED}


def test_a_halls_view_refuses_to_write_another_halls_rows(
    two: tuple[Context, Context],
) -> None:
    main, _ = two
    with (
        pytest.raises(ValueError, match="may not write a row of hall 'town'"),
        main.db.write() as s,
    ):
        s.add(Zone(hall="town", code="x", name_zh="x", name_en="x"))


PROCESSES = 8
PER_PROCESS = 50


@pytest.mark.parametrize(
    "url_fixture", ["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)]
)
def test_two_halls_number_independently_under_many_processes(
    url_fixture: str, request: pytest.FixtureRequest
) -> None:
    """Eight processes, four in each hall, the same prefix: each hall's numbers run 1 to 200
    with none given twice, whatever the other hall does meanwhile."""
    url = request.getfixturevalue(url_fixture)
    db = Database(url)
    apply_config(db, hall_config.load(TOWN_HALL))
    db.dispose()
    spawn = multiprocessing.get_context("spawn")
    halls = [MAIN_HALL, TOWN_HALL] * (PROCESSES // 2)
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        futures = [
            (hall, pool.submit(issue_many, url, TUESDAY_10.isoformat(), "tax", PER_PROCESS, hall))
            for hall in halls
        ]
        numbers = {MAIN_HALL: [], TOWN_HALL: []}
        for hall, future in futures:
            numbers[hall] += future.result()
    per_hall = PROCESSES // 2 * PER_PROCESS
    for hall, issued in numbers.items():
        assert [n for n, k in Counter(issued).items() if k > 1] == [], hall
        assert sorted(int(n[1:]) for n in issued) == list(range(1, per_hall + 1)), hall


# --- a database from before the network becomes the network's first hall ---------------------

OLD = [
    "INSERT INTO zones (code, name_zh, name_en, floor, position, active) "
    "VALUES ('general', '综合区', 'General', 1, 0, true)",
    "INSERT INTO services (code, zone_code, prefix, name_zh, name_en, target_minutes, "
    "service_minutes, days, kiosk, position, active) "
    "VALUES ('tax', 'general', 'T', '税务', 'Tax', 15, 8, '', true, 0, true)",
    "INSERT INTO profiles (code, name_zh, name_en) VALUES ('tax', '', '')",
    "INSERT INTO profile_services (profile_code, service_code, weight) VALUES ('tax', 'tax', 1)",
    "INSERT INTO windows (id, zone_code, profile_code, department_zh, department_en, state, "
    "active) VALUES (7, 'general', 'tax', '税务局', 'Tax', 'open', true)",
    "INSERT INTO day_counters (day, prefix, last) VALUES ('2026-11-24', 'T', 2)",
    "INSERT INTO tickets (id, public_id, day, prefix, seq, number, priority, "
    "requested_service_code, issued_at) VALUES "
    "(1, 'old-one', '2026-11-24', 'T', 1, 'T001', 'normal', 'tax', '2026-11-24 01:00:00'), "
    "(2, 'old-two', '2026-11-24', 'T', 2, 'T002', 'normal', 'tax', '2026-11-24 01:05:00')",
    "INSERT INTO steps (id, ticket_id, n, day, service_code, priority, queued_at, entered_at, "
    "status, window_id, called_at, recalls) VALUES "
    "(1, 1, 1, '2026-11-24', 'tax', 'normal', '2026-11-24 01:00:00', '2026-11-24 01:00:00', "
    "'called', 7, '2026-11-24 01:10:00', 0), "
    "(2, 2, 1, '2026-11-24', 'tax', 'normal', '2026-11-24 01:05:00', '2026-11-24 01:05:00', "
    "'waiting', NULL, NULL, 0)",
]

ONE_WINDOW_HALL = """
[hall]
code = "district"
name = { zh = "区政务服务中心", en = "District Centre" }
[[zones]]
code = "general"
name = { zh = "综合区", en = "General" }
[[services]]
code = "tax"
zone = "general"
prefix = "T"
name = { zh = "税务", en = "Tax" }
target_minutes = 15
[[profiles]]
code = "tax"
services = { "tax" = 1 }
[[windows]]
id = 7
zone = "general"
department = { zh = "税务局", en = "Tax" }
profile = "tax"
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    url = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(url)
    schema = f"old_{tmp_path.name[-12:].replace('-', '_').lower()}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_database_of_one_hall_becomes_the_networks_first_hall(
    empty_url: str, clock: Clock
) -> None:
    db = Database(empty_url)
    cfg = migrate._config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")  # the schema before the network
        for statement in OLD:
            conn.execute(text(statement))
        if db.dialect == "postgresql":  # as if the two had been made by the sequences
            conn.execute(text("SELECT setval('tickets_id_seq', 2), setval('steps_id_seq', 2)"))
    migrate.upgrade(db, "district")
    ctx = Context(db=db, config=hall_config.parse(ONE_WINDOW_HALL), clock=clock)
    assert tickets.ticket(ctx, "old-two").number == "T002"
    (window,) = counters.windows(ctx)
    assert (window.id, window.state, window.current.number) == (7, "open", "T001")
    assert services.issue(ctx, "tax").ticket.number == "T003"  # the day's counter went on
    with db.read() as s:
        assert set(s.scalars(select(Ticket.hall))) == {"district"}
    clock.advance(minutes=1)
    assert services.finish(ctx, 7, "clerk:test", "done", None).status == Status.DONE
    assert services.call_next(ctx, 7, "clerk:test").number == "T002"
    assert timedelta(0) <= clock.now - TUESDAY_10
    db.dispose()
