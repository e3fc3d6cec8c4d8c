"""Schemathesis against /api/v1/openapi.json: generated requests for every operation; no answer
is a server error, and every answer matches the document (status, headers, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from app import create_app
from queues import services
from queues.access import tokens
from queues.context import Context
from tests.support import make_context

# A request the schema allows can still name a service or window the hall does not have: that is
# a 404 or 422 with an error code, by design, not a rejected valid request.
RIGHT_BY_SCHEMA_ONLY = checks.positive_data_acceptance


@pytest.fixture
def ctx(sqlite_url: str) -> Context:
    context = make_context(sqlite_url, open_always=True)
    yield context
    context.db.dispose()


def test_every_operation_answers_as_documented(ctx: Context) -> None:
    app = create_app(ctx)
    token = tokens.create_token(ctx, "admin", "schemathesis")
    for window in (5, 6):  # tax and real-estate (tests/halls/main.toml)
        services.resume(ctx, window, "user:schemathesis")
    services.issue(ctx, "tax")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    # The documents are checked here, not compression (tests/api/test_compression.py): the
    # answers come uncompressed, as schemathesis reads them.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def answers(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[RIGHT_BY_SCHEMA_ONLY])

        answers()
