"""PostgreSQL connections that die in the pool (the server restarted, an administrator ended
them): the next ticket is issued all the same, once, without a ping before every request."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from queues import services
from queues.context import Context
from queues.errors import StoreUnavailable
from queues.store import db
from queues.store.models import Ticket
from tests.support import Clock, make_context, postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def tagged(pg_url: str, clock: Clock) -> Iterator[tuple[Context, str]]:
    """hallq on PostgreSQL, its connections named by an application name of their own (so only
    they are ended, whatever else uses the server)."""
    name = f"hallq-lost-{uuid.uuid4().hex[:10]}"
    url = make_url(pg_url).update_query_dict({"application_name": name})
    context = make_context(url.render_as_string(hide_password=False), clock)
    yield context, name
    context.db.dispose()


def _admin() -> psycopg.Connection:
    base = postgres_url()
    assert base is not None
    return psycopg.connect(base, autocommit=True)


def _end_backends(name: str) -> int:
    """End every backend of connections named ``name`` from another connection, and wait until
    they are gone; answers how many were ended."""
    with _admin() as admin:
        # pg_terminate_backend in the select list: called for the rows the filter kept only
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        ).fetchall()
        for _ in range(400):
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
            if left is not None and left[0] == 0:
                break
            time.sleep(0.025)
        else:
            raise AssertionError(f"the backends of {name} did not end")
    return sum(1 for (done,) in ended if done)


def _pool_of(ctx: Context, connections: int) -> None:
    """Leave ``connections`` connections in the pool, each having been used."""
    held = [ctx.db.engine.connect() for _ in range(connections)]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    for conn in held:
        conn.close()


def _numbers(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Ticket.number).order_by(Ticket.id)))


def test_ended_connections_are_found_at_checkout_and_the_ticket_is_issued(
    tagged: tuple[Context, str], caplog: pytest.LogCaptureFixture
) -> None:
    ctx, name = tagged
    first = services.issue(ctx, "tax", request_id="before")
    _pool_of(ctx, 3)
    assert _end_backends(name) == 3

    with caplog.at_level(logging.WARNING, logger="hallq.store"):
        issued = services.issue(ctx, "tax", request_id="after")
    again = services.issue(ctx, "tax", request_id="after")

    assert (first.ticket.number, issued.ticket.number) == ("T001", "T002")
    assert issued.created and not again.created and again.ticket.number == "T002"
    assert _numbers(ctx) == ["T001", "T002"]
    # the dead connections were told apart in the pool, without a failed statement
    assert "once more" not in caplog.text


def test_a_dead_connection_the_check_misses_costs_one_retry_not_the_ticket(
    tagged: tuple[Context, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ctx, name = tagged
    services.issue(ctx, "tax", request_id="before")
    _pool_of(ctx, 3)
    assert _end_backends(name) == 3
    monkeypatch.setattr(db, "_has_news", lambda _connection: False)  # the socket says nothing

    with caplog.at_level(logging.WARNING, logger="hallq.store"):
        issued = services.issue(ctx, "tax", request_id="after")
    again = services.issue(ctx, "tax", request_id="after")
    later = services.issue(ctx, "tax", request_id="later")

    assert issued.created and issued.ticket.number == "T002"
    assert not again.created and again.ticket.number == "T002"
    assert later.ticket.number == "T003"
    assert _numbers(ctx) == ["T001", "T002", "T003"]
    assert caplog.text.count("once more") == 1  # the first statement failed, and only once


def _own_backend(s: Session) -> int:
    """The backend of the session's connection, asked of the driver (no statement sent)."""
    return int(s.connection().connection.driver_connection.info.backend_pid)


def _end(pid: int) -> None:
    with _admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(400):
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            found = row.fetchone()
            if found is not None and found[0] == 0:
                return
            time.sleep(0.025)
    raise AssertionError(f"backend {pid} did not end")


def test_a_transaction_is_run_again_only_when_none_of_it_ran(tagged: tuple[Context, str]) -> None:
    ctx, _name = tagged
    tries: list[str] = []

    def lost_before_anything(s: Session) -> int:
        tries.append("before")
        if len(tries) == 1:
            _end(_own_backend(s))  # dead before its first statement
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)

    assert ctx.db.transact(lost_before_anything) == 0
    assert tries == ["before", "before"]

    tries.clear()

    def lost_after_a_statement(s: Session) -> None:
        tries.append("after")
        s.execute(text("SELECT 1"))
        _end(_own_backend(s))
        s.execute(text("SELECT 2"))

    with pytest.raises(StoreUnavailable):
        ctx.db.transact(lost_after_a_statement)
    assert tries == ["after"]  # a statement had run: not run again

    tries.clear()

    def always_lost(s: Session) -> None:
        tries.append("always")
        _end(_own_backend(s))
        s.execute(text("SELECT 1"))

    with pytest.raises(StoreUnavailable):
        ctx.db.transact(always_lost)
    assert tries == ["always", "always"]  # once more, not for ever
    assert services.issue(ctx, "tax").ticket.number == "T001"  # and the next write works
