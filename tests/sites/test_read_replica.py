"""Managers' figures read from a streaming replica (HALLQ_READ_DATABASE_URL): a primary and its
replica made by ``pg_basebackup -R``, both started by the test (tests/clusters.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from queues import errors
from queues.context import Context
from queues.hall import config as hall_config
from queues.read import overview, rollups
from queues.read import reports as reporting
from queues.store.db import Database
from runtime.settings import Settings, SettingsError
from tests.clusters import Cluster, Clusters, wait_for
from tests.support import MAIN_HALL, Clock, prepare
from tests.unit.test_metrics import DAY, a_morning, assert_the_morning, at


def caught_up(primary: Cluster, replica: Cluster) -> bool:
    (lsn,) = primary.sql("SELECT pg_current_wal_lsn()::text")[0]
    return replica.sql(
        f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"
    ) == [(True,)]  # fmt: skip


@pytest.fixture
def pair(pg_clusters: Clusters) -> tuple[Cluster, Cluster]:
    primary = pg_clusters.make("primary")
    prepare(primary.create_database("hallq"), MAIN_HALL)
    return primary, pg_clusters.replica_of(primary)


@pytest.fixture
def ctx(pair: tuple[Cluster, Cluster], clock: Clock) -> Iterator[Context]:
    primary, replica = pair
    db = Database(primary.url("hallq"), read_url=replica.url("hallq"))
    context = Context(db=db, config=hall_config.load(MAIN_HALL), clock=clock)
    yield context
    context.db.dispose()


def in_recovery(session) -> bool:  # type: ignore[no-untyped-def]
    return session.execute(text("SELECT pg_is_in_recovery()")).scalar()


def test_reports_read_the_replica_and_match_what_the_hall_wrote(
    pair: tuple[Cluster, Cluster], ctx: Context, clock: Clock
) -> None:
    primary, replica = pair
    a_morning(ctx, clock)  # written on the primary: four tax tickets, three handled
    at(clock, 11, 0)
    wait_for(lambda: caught_up(primary, replica), what="the replica catches up")

    with ctx.db.report() as s:
        assert in_recovery(s)  # the replica's connection
        assert s.info["hall"] == ctx.hall  # seeing this hall's rows only, as read() does
    with ctx.db.read() as s:
        assert not in_recovery(s)  # what a clerk, kiosk or screen reads: the primary
    assert ctx.db.replica_health() == "ok"

    assert_the_morning(rollups.report(ctx, DAY, DAY)["all"])
    assert overview.today(ctx).hall.handled == 3
    report = reporting.build(ctx, "day", DAY, None, "window", "zh")
    assert report.total.handled == 3 and report.total.rating_mean == 3.0

    # With the primary down the district's reports still answer, from the replica.
    primary.stop()
    assert_the_morning(rollups.report(ctx, DAY, DAY)["all"])
    with pytest.raises(errors.StoreUnavailable), ctx.db.read() as s:
        s.execute(text("SELECT 1"))


def test_an_unreachable_replica_leaves_reports_to_the_primary_and_says_so(
    pair: tuple[Cluster, Cluster], ctx: Context, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    primary, replica = pair
    replica.stop()
    a_morning(ctx, clock)
    at(clock, 11, 0)
    with caplog.at_level(logging.WARNING, logger="hallq.store"):
        assert_the_morning(rollups.report(ctx, DAY, DAY)["all"])  # read on the primary
        with ctx.db.report() as s:
            assert not in_recovery(s)
    assert "read replica unavailable, reports read the primary" in caplog.text
    assert ctx.db.replica_health() == "unavailable"

    replica.start()
    ctx.db.replica._retry_at = 0.0  # the retry pause (REPLICA_RETRY_SECONDS) has passed
    wait_for(lambda: caught_up(primary, replica), what="the replica catches up")
    with ctx.db.report() as s:
        assert in_recovery(s)
    assert ctx.db.replica_health() == "ok"


def test_healthz_says_where_reports_read(pair: tuple[Cluster, Cluster], clock: Clock) -> None:
    from app import create_app

    primary, replica = pair
    db = Database(primary.url("hallq"), read_url=replica.url("hallq"))
    app = create_app(Context(db=db, config=hall_config.load(MAIN_HALL), clock=clock))
    client = app.server.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "read_replica": "ok"}
    replica.stop()
    db.replica._retry_at = 0.0
    answer = client.get("/healthz")
    assert answer.status_code == 200  # the hall works on: reports read the primary
    assert answer.get_json() == {"status": "ok", "read_replica": "unavailable"}
    db.dispose()


def test_the_replica_setting_is_checked() -> None:
    pg = "postgresql://hallq@db/hallq"
    settings = Settings.from_env(
        {"HALLQ_DATABASE_URL": pg, "HALLQ_READ_DATABASE_URL": "postgresql://hallq@replica/hallq"}
    )
    assert settings.read_database_url == "postgresql://hallq@replica/hallq"
    assert Settings.from_env({}).read_database_url is None
    with pytest.raises(SettingsError, match="HALLQ_READ_DATABASE_URL"):
        Settings.from_env({"HALLQ_DATABASE_URL": pg, "HALLQ_READ_DATABASE_URL": "sqlite:///x.db"})
    with pytest.raises(SettingsError, match="HALLQ_READ_DATABASE_URL"):
        Settings.from_env({"HALLQ_READ_DATABASE_URL": pg})  # the primary is SQLite
    with pytest.raises(ValueError, match="read replica"):
        Database("sqlite://", read_url=pg)
