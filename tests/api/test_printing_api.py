"""Ratings, reprints and the print agent's endpoints, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from kiosk.agent import AgentError, PrintAgent
from queues import printjobs, services
from queues.access import tokens
from queues.access.requesters import Requester
from queues.context import Context
from tests.support import LiveServer

API = "/api/v1"


@pytest.fixture
def client(ctx: Context) -> FlaskClient:
    return create_app(ctx).server.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def served(ctx: Context) -> str:
    """A housing-fund ticket called and finished at window 7 (tests/halls/main.toml)."""
    services.resume(ctx, 7, "clerk:test")
    t = services.issue(ctx, "housing-fund", by=Requester.at_kiosk("k1")).ticket
    assert services.call_next(ctx, 7, "clerk:test").id == t.id
    services.finish(ctx, 7, "clerk:test")
    return t.id


def test_rating_once_after_the_service(client: FlaskClient, ctx: Context) -> None:
    waiting = services.issue(ctx, "tax").ticket.id
    early = client.post(f"{API}/tickets/{waiting}/rating", json={"score": 5})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_served"
    ticket = served(ctx)
    ok = client.post(f"{API}/tickets/{ticket}/rating", json={"score": 2, "comment": "等太久"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "done"
    again = client.post(f"{API}/tickets/{ticket}/rating", json={"score": 5})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    from sqlalchemy import select

    from queues.store.models import Rating

    with ctx.db.read() as s:
        rating = s.scalars(select(Rating)).one()
    assert (rating.score, rating.comment) == (2, "等太久")
    assert rating.follow_up == "open" and rating.window_id == 7  # a bad rating, to follow up


@pytest.mark.parametrize("body", [{"score": 0}, {"score": 6}, {"score": "good"}, {}])
def test_rating_must_be_one_to_five(client: FlaskClient, ctx: Context, body: dict) -> None:
    ticket = served(ctx)
    response = client.post(f"{API}/tickets/{ticket}/rating", json=body)
    assert response.status_code == 422


def test_rating_unknown_ticket(client: FlaskClient) -> None:
    assert client.post(f"{API}/tickets/nope/rating", json={"score": 5}).status_code == 404


def test_reprint_needs_a_clerk_and_a_waiting_ticket(client: FlaskClient, ctx: Context) -> None:
    clerk = tokens.create_token(ctx, "clerk", "desk")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k2")).ticket
    assert client.post(f"{API}/tickets/{t.id}/reprint").status_code == 401
    response = client.post(f"{API}/tickets/{t.id}/reprint", json={}, headers=bearer(clerk))
    assert response.status_code == 202 and response.get_json()["job"] > 0
    phone_only = services.issue(ctx, "tax").ticket  # taken through the API, no kiosk
    response = client.post(f"{API}/tickets/{phone_only.id}/reprint", headers=bearer(clerk))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "no_printer"
    response = client.post(
        f"{API}/tickets/{phone_only.id}/reprint", json={"kiosk": "k1"}, headers=bearer(clerk)
    )
    assert response.status_code == 202


def test_kiosk_token_claims_its_own_jobs_only(client: FlaskClient, ctx: Context) -> None:
    k1 = tokens.create_token(ctx, "kiosk", "k1")
    services.issue(ctx, "tax", by=Requester.at_kiosk("k1"))
    services.issue(ctx, "tax", by=Requester.at_kiosk("k2"))
    assert (
        client.post(f"{API}/print-jobs/claim", json={"kiosk": "k2"}, headers=bearer(k1)).status_code
        == 403
    )
    clerk = tokens.create_token(ctx, "clerk", "desk")
    assert client.post(f"{API}/print-jobs/claim", json={}, headers=bearer(clerk)).status_code == 403
    body = client.post(f"{API}/print-jobs/claim", json={}, headers=bearer(k1)).get_json()
    (job,) = body["jobs"]
    assert (
        job["ticket"]["number"] == "T001" and job["mode"] == "text" and job["layout"]["paper"] == 80
    )
    assert any(row["text"] == "T001" and row["size"] == "huge" for row in job["layout"]["head"])
    assert job["layout"]["qr"].endswith(job["ticket"]["status_url"])
    failed = client.post(
        f"{API}/print-jobs/{job['id']}/result",
        json={"printed": False, "error": "paper jam", "paper": "ok"},
        headers=bearer(k1),
    ).get_json()
    assert failed["status"] == "pending" and failed["next_attempt_at"]
    done = client.post(
        f"{API}/print-jobs/{job['id']}/result", json={"printed": True}, headers=bearer(k1)
    )
    assert done.get_json()["status"] == "done"
    missing = client.post(
        f"{API}/print-jobs/999999/result", json={"printed": True}, headers=bearer(k1)
    )
    assert missing.status_code == 404


def test_openapi_describes_the_agent_endpoints(client: FlaskClient) -> None:
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert "post" in paths[f"{API}/print-jobs/claim"]
    assert "post" in paths[f"{API}/print-jobs/{{job_id}}/result"]
    assert "post" in paths[f"{API}/tickets/{{ticket_id}}/rating"]
    assert "post" in paths[f"{API}/tickets/{{ticket_id}}/reprint"]


# --- the print agent against a live server -----------------------------------------------------


@pytest.fixture
def server(ctx: Context) -> Iterator[LiveServer]:
    live = LiveServer(create_app(ctx).server)
    yield live
    live.close()


def agent(server: LiveServer, token: str, tmp_path: Path) -> PrintAgent:
    return PrintAgent(
        server=server.url,
        kiosk="k1",
        printer_uri=f"file:{tmp_path}/printed",
        token=token,
        journal_path=tmp_path / "agent.journal",
    )


def printed(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "printed").glob("*.bin"))


def test_agent_prints_and_reports(server: LiveServer, ctx: Context, tmp_path: Path) -> None:
    token = tokens.create_token(ctx, "kiosk", "k1")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    assert agent(server, token, tmp_path).run_once() == 1
    (slip,) = printed(tmp_path)
    assert t.number == "T001" and b"T001" in slip.read_bytes()
    assert printjobs.state_of(ctx, t.id).status == "done"


def test_agent_restarted_after_printing_does_not_print_again(
    server: LiveServer, ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tokens.create_token(ctx, "kiosk", "k1")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    first = agent(server, token, tmp_path)
    real_call = first._call

    def crash_on_report(path: str, body: dict) -> dict:
        if path.endswith("/result"):
            raise KeyboardInterrupt("power cut after printing")
        return real_call(path, body)

    monkeypatch.setattr(first, "_call", crash_on_report)
    with pytest.raises(KeyboardInterrupt):
        first.run_once()
    assert len(printed(tmp_path)) == 1
    assert printjobs.state_of(ctx, t.id).status == "printing"  # the server never heard
    second = agent(server, token, tmp_path)  # the agent starts again
    assert second.run_once() == 0
    assert len(printed(tmp_path)) == 1  # printed once
    assert printjobs.state_of(ctx, t.id).status == "done"


def test_agent_restarted_before_printing_prints_once(
    server: LiveServer, ctx: Context, tmp_path: Path, clock
) -> None:
    token = tokens.create_token(ctx, "kiosk", "k1")
    t = services.issue(ctx, "tax", by=Requester.at_kiosk("k1")).ticket
    printjobs.claim(ctx, "kiosk:k1", kiosks=["k1"])  # claimed, then the agent died
    assert agent(server, token, tmp_path).run_once() == 0  # not offered while the claim holds
    clock.advance(seconds=61)
    assert agent(server, token, tmp_path).run_once() == 1
    assert len(printed(tmp_path)) == 1 and printjobs.state_of(ctx, t.id).status == "done"


def test_agent_with_a_wrong_token_stops_with_a_reason(server: LiveServer, tmp_path: Path) -> None:
    with pytest.raises(AgentError, match="401"):
        agent(server, "hq_wrong", tmp_path).run_once()
