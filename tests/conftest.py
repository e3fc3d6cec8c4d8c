from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queues.context import Context
from tests.support import (
    MAIN_HALL,
    Clock,
    FakePrinter,
    copy_sqlite,
    free_port,
    make_context,
    postgres_schema,
    postgres_url,
    prepare,
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite database with the tests' hall (tests/halls/main.toml); each test gets
    a copy."""
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    prepare(f"sqlite:///{path}", MAIN_HALL)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    """A network printer on loopback that keeps what it is sent (tests.support.FakePrinter)."""
    fake = FakePrinter().start()
    yield fake
    fake.stop()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return copy_sqlite(sqlite_template, tmp_path / "hallq.db")


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    with postgres_schema(base, MAIN_HALL) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest) -> str:
    """The test runs on SQLite and again on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)


@pytest.fixture
def ctx(sqlite_url: str, clock: Clock) -> Iterator[Context]:
    context = make_context(sqlite_url, clock)
    yield context
    context.db.dispose()


@pytest.fixture
def any_ctx(any_url: str, clock: Clock) -> Iterator[Context]:
    context = make_context(any_url, clock)
    yield context
    context.db.dispose()


@pytest.fixture
def dash_duo(dash_duo: Any) -> Any:
    """dash[testing]'s browser, its app served on a port free on this machine (its own counter
    starts at 8050 in every test run, so two runs on one machine would collide)."""
    start = dash_duo.start_server

    def start_on_a_free_port(app: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("port", free_port())
        return start(app, **kwargs)

    dash_duo.start_server = start_on_a_free_port
    return dash_duo
