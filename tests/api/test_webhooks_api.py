"""The webhook endpoints (API.md "Webhooks"): who may use them, in which hall, what they check,
and what they answer (never the secret after registration)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues import services, webhooks
from queues.access import tokens
from queues.access.requesters import Requester
from queues.network import Network
from runtime.webhook_worker import WebhookWorker
from tests.support import Clock, make_network
from tests.support_webhooks import Receiver

API = "/api/v1"
MAIN, TOWN = "new-district", "town"
SECRET = "sixteen-or-more-chars"


@pytest.fixture
def network(any_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    monkeypatch.setenv(webhooks.LOCAL_SETTING, "1")
    net = make_network(any_url, clock)
    yield net
    net.context().db.dispose()


@pytest.fixture
def client(network: Network) -> FlaskClient:
    return create_app(network).server.test_client()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def code_of(answer: Any) -> str:
    body = answer.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]["code"]


def test_a_manager_registers_lists_reads_the_log_replays_and_deactivates(
    network: Network, client: FlaskClient, receiver: Receiver, clock: Clock
) -> None:
    main = network.context(MAIN)
    manager = auth(tokens.create_token(main, "manager", "li"))
    made = client.post(
        f"{API}/webhooks",
        json={"url": receiver.url, "events": ["issued", "called"], "secret": SECRET},
        headers=manager,
    )
    assert made.status_code == 201, made.get_json()
    hook = made.get_json()
    assert hook["secret"] == SECRET and hook["events"] == ["issued", "called"]
    assert hook["active"] is True and hook["last_status"] is None
    listed = client.get(f"{API}/webhooks", headers=manager)
    assert listed.status_code == 200
    (shown,) = listed.get_json()["webhooks"]
    assert "secret" not in shown and SECRET not in listed.get_data(as_text=True)
    receiver.then = 500
    services.issue(main, "tax", by=Requester.at_kiosk("k1"))
    worker = WebhookWorker(main.db, clock=clock)
    for _ in range(webhooks.MAX_ATTEMPTS):
        worker.run_once()
        clock.advance(seconds=webhooks.MOST_PAUSE_SECONDS + 1)
    log = client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=manager).get_json()
    (failed,) = log["deliveries"]
    assert failed["status"] == "failed" and failed["attempts"] == webhooks.MAX_ATTEMPTS
    assert failed["last_status_code"] == 500 and failed["type"] == "issued"
    assert client.get(f"{API}/webhooks", headers=manager).get_json()["webhooks"][0]["failed"] == 1
    receiver.then = 200
    replay = f"{API}/webhooks/{hook['id']}/deliveries/{failed['id']}/replay"
    again = client.post(replay, headers=manager)
    assert again.status_code == 202 and again.get_json()["status"] == "pending"
    assert worker.run_once() == 1
    assert code_of(client.post(replay, headers=manager)) == "delivery_not_failed"
    delivered = client.get(
        f"{API}/webhooks/{hook['id']}/deliveries?status=delivered", headers=manager
    ).get_json()["deliveries"]
    assert [d["id"] for d in delivered] == [failed["id"]]
    gone = client.delete(f"{API}/webhooks/{hook['id']}", headers=manager)
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    services.issue(main, "tax", by=Requester.at_kiosk("k1"))
    assert (
        len(
            client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=manager).get_json()[
                "deliveries"
            ]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"url": "ftp://x.example/", "events": ["issued"]}, 422, "invalid_request"),
        ({"url": "http://x.example/" + "a" * 500, "events": ["issued"]}, 422, "invalid_request"),
        ({"url": "http://127.0.0.1:9/", "events": []}, 422, "invalid_request"),
        ({"url": "http://127.0.0.1:9/", "events": ["printed"]}, 422, "invalid_request"),
        (
            {"url": "http://127.0.0.1:9/", "events": ["issued"], "secret": "short"},
            422,
            "invalid_request",
        ),
        ({"url": "http://127.0.0.1:9/", "events": ["issued"], "extra": 1}, 422, "invalid_request"),
        ({"events": ["issued"]}, 422, "invalid_request"),
    ],
)
def test_registration_is_checked_at_the_boundary(
    network: Network, client: FlaskClient, body: dict[str, Any], status: int, code: str
) -> None:
    manager = auth(tokens.create_token(network.context(MAIN), "manager", "li"))
    answer = client.post(f"{API}/webhooks", json=body, headers=manager)
    assert answer.status_code == status and code_of(answer) == code


def test_bad_json_is_400_and_a_local_address_422_without_the_setting(
    network: Network, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = auth(tokens.create_token(network.context(MAIN), "manager", "li"))
    bad = client.post(f"{API}/webhooks", data=b"{nope", headers=manager)
    assert bad.status_code == 400 and code_of(bad) == "bad_json"
    monkeypatch.delenv(webhooks.LOCAL_SETTING)
    for url in ("http://127.0.0.1:8050/", "http://169.254.169.254/", "http://[::1]/"):
        refused = client.post(
            f"{API}/webhooks", json={"url": url, "events": ["issued"]}, headers=manager
        )
        assert refused.status_code == 422 and code_of(refused) == "webhook_url_refused"


def test_who_may_use_them(network: Network, client: FlaskClient) -> None:
    main, town = network.context(MAIN), network.context(TOWN)
    hook = webhooks.register(town, "http://127.0.0.1:9/", ["issued"], "user:chen").hook
    body = {"url": "http://127.0.0.1:9/", "events": ["rated"]}
    town_paths = [
        ("GET", f"{API}/halls/{TOWN}/webhooks"),
        ("POST", f"{API}/halls/{TOWN}/webhooks"),
        ("GET", f"{API}/halls/{TOWN}/webhooks/{hook.id}/deliveries"),
    ]

    def asks(token: str) -> list[int]:
        return [
            client.open(
                path, method=m, json=body if m == "POST" else None, headers=auth(token)
            ).status_code
            for m, path in town_paths
        ]

    assert asks(tokens.create_token(town, "clerk", "town-clerk")) == [403, 403, 403]
    assert asks(tokens.create_token(main, "kiosk", "k1")) == [403, 403, 403]
    assert asks(tokens.create_token(main, "manager", "district-li")) == [403, 403, 403]
    assert asks(tokens.create_token(town, "manager", "town-chen")) == [200, 201, 200]
    assert asks(tokens.create_token(main, "manager", "net-zhou", hall=None)) == [200, 201, 200]
    assert client.get(f"{API}/halls/{TOWN}/webhooks").status_code == 401
    # the district's manager sees none of the town's endpoints in the district
    district = auth(tokens.create_token(main, "manager", "district-wang"))
    assert client.get(f"{API}/webhooks", headers=district).get_json() == {"webhooks": []}
    missing = client.get(f"{API}/webhooks/{hook.id}/deliveries", headers=district)
    assert missing.status_code == 404 and code_of(missing) == "unknown_webhook"
    gone = client.delete(f"{API}/webhooks/{hook.id}", headers=district)
    assert gone.status_code == 404
    huge = client.get(f"{API}/webhooks/{10**30}/deliveries", headers=district)
    assert huge.status_code == 404


def test_the_document_describes_the_webhook_endpoints(client: FlaskClient) -> None:
    doc = client.get(f"{API}/openapi.json").get_json()
    hook = f"{API}/webhooks/{{webhook_id}}"
    for prefix in (API, f"{API}/halls/{{hall}}"):
        base = prefix + "/webhooks"
        assert {"get", "post"} <= set(doc["paths"][base])
        assert "delete" in doc["paths"][base + "/{webhook_id}"]
        assert "get" in doc["paths"][base + "/{webhook_id}/deliveries"]
        assert "post" in doc["paths"][base + "/{webhook_id}/deliveries/{delivery_id}/replay"]
    create = doc["paths"][f"{API}/webhooks"]["post"]
    assert set(create["responses"]) == {"201", "400", "401", "403", "422", "503"}
    replay = doc["paths"][f"{hook}/deliveries/{{delivery_id}}/replay"]["post"]
    assert {"202", "401", "403", "404", "409"} <= set(replay["responses"])
    assert "secret" in doc["components"]["schemas"]["WebhookCreatedOut"]["properties"]
    assert "secret" not in doc["components"]["schemas"]["WebhookOut"]["properties"]
