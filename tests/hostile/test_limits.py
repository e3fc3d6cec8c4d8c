"""The issue limits hold under parallel requests through several gunicorn workers on
PostgreSQL: a burst from one address, or from one kiosk, gets exactly its limit, many rounds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from queues.access import tokens
from queues.context import utcnow
from tests.hostile.test_races import at_once
from tests.support import (
    MAIN_HALL,
    gunicorn,
    hall_file,
    http,
    make_context,
    postgres_schema,
    postgres_url,
)

pytestmark = pytest.mark.postgres
PER_ADDRESS = 20
PER_KIOSK = 10
BURST = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Four gunicorn workers behind a proxy that names each client (X-Forwarded-For)."""
    base_url = postgres_url()
    if base_url is None:
        pytest.skip("no PostgreSQL configured (set HALLQ_TEST_POSTGRES_URL)")
    folder: Path = tmp_path_factory.mktemp("limits")
    hall = hall_file(folder, MAIN_HALL, kiosk_tickets_per_minute=PER_KIOSK)
    with (
        postgres_schema(base_url, MAIN_HALL) as url,
        gunicorn(
            url,
            folder,
            hall=hall,
            workers=4,
            HALLQ_ISSUE_LIMIT=str(PER_ADDRESS),
            HALLQ_BEHIND_PROXY="1",
        ) as (base, _),
    ):
        yield base, url


def burst(base: str, headers: dict[str, str], token: str | None = None) -> Counter[int]:
    def take() -> int:
        status, _ = http(
            base, "POST", "/api/v1/tickets", {"service": "tax"}, token=token, headers=headers
        )
        return status

    return Counter(at_once(*[take] * BURST))


def test_a_burst_from_one_address_gets_exactly_its_limit(server: tuple[str, str]) -> None:
    base, _ = server
    rounds = [burst(base, {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(1, 6)]
    assert rounds == [Counter({201: PER_ADDRESS, 429: BURST - PER_ADDRESS})] * 5


def test_a_burst_from_one_kiosk_gets_exactly_its_limit(server: tuple[str, str]) -> None:
    base, url = server
    ctx = make_context(url)
    ctx.clock = utcnow
    try:
        kiosk_tokens = [tokens.create_token(ctx, "kiosk", k) for k in ("k1", "k2", "k3")]
    finally:
        ctx.db.dispose()
    rounds = [burst(base, {"X-Forwarded-For": "203.0.113.99"}, token) for token in kiosk_tokens]
    assert rounds == [Counter({201: PER_KIOSK, 429: BURST - PER_KIOSK})] * 3
