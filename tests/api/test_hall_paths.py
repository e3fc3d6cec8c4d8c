"""One deployment serves every hall: each hall's pages under /h/<hall>/ and its API under
/api/v1/halls/<hall>/, the default hall's also without the prefix (issue 12, item 3).

The network is the tests' hall (tests/halls/main.toml, code new-district, the default) and the
town beside it in the same database (tests/halls/town.toml, code town): the same service codes,
prefixes and window numbers, so whatever leaks from one hall into the other shows. The town's
window 1 calls tax (T); the tests' hall's window 5 calls tax (T), window 7 housing-fund (Q).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from queues import services
from queues.access import staff
from queues.access import tokens as api_tokens
from queues.network import Network
from tests.api.test_callback_roles import PASSWORD, callback_body
from tests.support import Clock, make_network

API = "/api/v1"
TOWN = "/api/v1/halls/town"
MAIN_NAME = "新区政务服务中心"
TOWN_NAME = "竹办便民服务中心"


@pytest.fixture
def network(sqlite_url: str, clock: Clock) -> Iterator[Network]:
    net = make_network(sqlite_url, clock)
    yield net
    net.context().db.dispose()


@pytest.fixture
def client(network: Network) -> FlaskClient:
    return create_app(network).server.test_client()


def waiting(client: FlaskClient, base: str, service: str = "tax") -> int:
    listing = client.get(f"{base}/services").get_json()
    return next(s["waiting"] for s in listing if s["code"] == service)


def error_code(response: Any) -> str:
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    return body["error"]["code"]


def dash_config(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="_dash-config" type="application/json">(.*?)</script>',
        response.get_data(as_text=True),
    )
    assert found, "no Dash config in the page"
    return json.loads(found.group(1))


def route(client: FlaskClient, under: str, pathname: str) -> str:
    """What Dash's page router draws for ``pathname`` (as JSON text), asked as the page's
    renderer asks: under the prefix its document named."""
    body = callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", pathname), ("_pages_location", "search", "")],
        [],
    )
    response = client.post(
        f"{under}/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


# --- the list of halls ---------------------------------------------------------------------------


def test_the_halls_are_listed(client: FlaskClient) -> None:
    response = client.get(f"{API}/halls")
    assert response.status_code == 200
    assert response.get_json() == [
        {
            "code": "new-district",
            "name": {"zh": "新区政务服务中心", "en": "New District Service Centre"},
            "level": "district",
            "parent": None,
            "default": True,
        },
        {
            "code": "town",
            "name": {"zh": "竹办便民服务中心", "en": "Zhuban Convenience Service Centre"},
            "level": "town",
            "parent": "new-district",
            "default": False,
        },
    ]


def test_a_single_hall_is_a_network_of_one(ctx) -> None:  # type: ignore[no-untyped-def]
    client = create_app(ctx).server.test_client()
    assert client.get(f"{API}/halls").get_json() == [
        {
            "code": "new-district",
            "name": {"zh": "新区政务服务中心", "en": "New District Service Centre"},
            "level": "district",
            "parent": None,
            "default": True,
        }
    ]
    assert client.get("/api/v1/halls/new-district/services").status_code == 200
    assert error_code(client.get("/api/v1/halls/town/services")) == "unknown_hall"


# --- the API, hall by hall -----------------------------------------------------------------------


def test_a_ticket_taken_in_the_town_is_the_towns_alone(client: FlaskClient) -> None:
    taken = client.post(f"{TOWN}/tickets", json={"service": "tax"})
    assert taken.status_code == 201
    ticket = taken.get_json()
    assert ticket["number"] == "T001"
    assert ticket["status_url"] == f"/h/town/t/{ticket['id']}"
    assert waiting(client, TOWN) == 1
    assert waiting(client, API) == 0  # the default hall's queue is untouched
    assert waiting(client, "/api/v1/halls/new-district") == 0
    assert client.get(f"{TOWN}/tickets/{ticket['id']}").status_code == 200
    assert client.get(f"{API}/tickets/{ticket['id']}").status_code == 404

    # the default hall numbers its own: its first tax ticket is T001 too
    own = client.post(f"{API}/tickets", json={"service": "tax"}).get_json()
    assert own["number"] == "T001" and own["status_url"] == f"/t/{own['id']}"
    assert waiting(client, API) == 1 and waiting(client, TOWN) == 1


def test_a_clerk_calls_the_towns_ticket_at_the_towns_window(
    client: FlaskClient, network: Network
) -> None:
    main = network.context()
    # a network token, which acts in both halls (one of the default hall only is refused in the
    # town: tests/api/test_hall_staff.py)
    token = api_tokens.create_token(main, "clerk", "window-1", hall=None)
    headers = {"Authorization": f"Bearer {token}"}
    services.issue(main, "tax")  # the default hall's T001, which the town must not call
    town_ticket = client.post(f"{TOWN}/tickets", json={"service": "tax"}).get_json()
    assert client.post(f"{TOWN}/windows/1/resume", headers=headers).status_code == 200
    called = client.post(f"{TOWN}/windows/1/call-next", headers=headers)
    assert called.status_code == 200
    assert called.get_json()["id"] == town_ticket["id"]
    windows = {w["id"]: w for w in client.get(f"{TOWN}/windows", headers=headers).get_json()}
    assert windows[1]["current"]["number"] == "T001" and windows[1]["state"] == "open"
    assert len(windows) == 2  # the town has two windows; the default hall twelve
    assert len(client.get(f"{API}/windows", headers=headers).get_json()) == 12
    assert waiting(client, API) == 1  # the default hall's T001 still waits


def test_each_halls_board_is_its_own(client: FlaskClient, network: Network) -> None:
    """Both halls' boards move to the same version: the drawn answers kept in memory are each
    hall's own (web.memo)."""
    main, town = network.context(), network.context("town")
    services.issue(main, "housing-fund")
    services.issue(town, "tax")
    versions = {
        base: client.get(f"{base}/display/version").get_json()["version"] for base in (API, TOWN)
    }
    assert versions[API] == versions[TOWN]
    default_board = client.get(f"{API}/display").get_json()
    town_board = client.get(f"{TOWN}/display").get_json()
    assert client.get(f"{API}/display").get_json() == default_board  # from memory, the same
    default_queues = {q["service"]: q["waiting"] for q in default_board["queues"]}
    town_queues = {q["service"]: q["waiting"] for q in town_board["queues"]}
    assert town_queues == {"tax": 1, "social-insurance": 0}
    assert default_queues["housing-fund"] == 1 and default_queues["tax"] == 0
    assert len(default_queues) == 10


def test_an_unknown_hall_is_a_404_in_the_apis_shape(client: FlaskClient) -> None:
    for path in (
        "/api/v1/halls/nowhere/services",
        "/api/v1/halls/nowhere/tickets",
        "/api/v1/halls/Town/services",  # codes are lower case
        "/api/v1/halls/" + "a" * 40 + "/services",
        "/api/v1/halls/%2e%2e/services",
        "/api/v1/halls/town%00/services",
    ):
        for method in ("GET", "POST"):
            response = client.open(path, method=method, json={"service": "tax"})
            assert response.status_code == 404, path
            assert error_code(response) == "unknown_hall", path
    message = client.get("/api/v1/halls/nowhere/services").get_json()["error"]["message"]
    assert message == "没有编号为 nowhere 的大厅。"
    english = client.get("/api/v1/halls/nowhere/services", headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["message"] == "There is no hall with the code nowhere."


def test_an_unknown_endpoint_under_a_hall_is_the_apis_404(client: FlaskClient) -> None:
    response = client.get(f"{TOWN}/no-such-thing")
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert (
        response.get_json()["error"]["message"] == "没有这个接口：/api/v1/halls/town/no-such-thing"
    )
    response = client.delete(f"{TOWN}/services")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_the_document_describes_every_hall_scoped_endpoint(client: FlaskClient) -> None:
    doc = client.get(f"{API}/openapi.json").get_json()
    paths = doc["paths"]
    assert "get" in paths["/api/v1/halls"] and "/api/v1/halls/{hall}/halls" not in paths
    plain = {p for p in paths if not p.startswith("/api/v1/halls")}
    for path in plain:
        twin = "/api/v1/halls/{hall}" + path.removeprefix("/api/v1")
        assert set(paths[twin]) == set(paths[path]), twin
        for method, op in paths[twin].items():
            assert op["parameters"][0]["name"] == "hall", (twin, method)
            assert "404" in op["responses"], (twin, method)
    ticket = paths["/api/v1/halls/{hall}/tickets"]["post"]
    assert ticket["operationId"] == "issue_ticket_in_hall"


# --- the pages, hall by hall ---------------------------------------------------------------------


def test_a_page_under_a_hall_asks_its_callbacks_under_the_hall(client: FlaskClient) -> None:
    town = client.get("/h/town/kiosk")
    assert town.status_code == 200
    assert dash_config(town)["requests_pathname_prefix"] == "/h/town/"
    default = client.get("/kiosk")
    assert default.status_code == 200
    assert dash_config(default)["requests_pathname_prefix"] == "/"
    # the bundle and the assets stay at the root, where every hall's pages share them
    assert '<script src="/_dash-component-suites/' in town.get_data(as_text=True)


def test_the_router_draws_the_halls_page(client: FlaskClient) -> None:
    drawn = route(client, "/h/town", "/h/town/")
    assert TOWN_NAME in drawn and MAIN_NAME not in drawn
    assert '"/h/town/display/general"' in drawn  # its links stay in the town
    default = route(client, "", "/")
    assert MAIN_NAME in default and TOWN_NAME not in default
    assert '"/display/general"' in default and "/h/town" not in default
    # /h/town/kiosk is the kiosk page (not the not-found page) with the town's matters
    kiosk = route(client, "/h/town", "/h/town/kiosk")
    assert '"kiosk-' in kiosk and '"not-found"' not in kiosk


def test_the_phone_page_is_the_halls(client: FlaskClient, network: Network) -> None:
    town_ticket = services.issue(network.context("town"), "tax").ticket
    page = client.get(f"/h/town/t/{town_ticket.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert TOWN_NAME in text and "T001" in text
    assert 'data-base="/h/town"' in text and 'data-api="/api/v1/halls/town"' in text
    now = client.get(f"/h/town/t/{town_ticket.id}/now")
    assert now.status_code == 200
    assert client.get(f"/t/{town_ticket.id}").status_code == 404  # not the default hall's


def test_the_old_paths_answer_for_the_default_hall(client: FlaskClient, network: Network) -> None:
    main = network.context()
    ticket = services.issue(main, "tax").ticket
    page = client.get(f"/t/{ticket.id}").get_data(as_text=True)
    assert MAIN_NAME in page and 'data-base=""' in page and 'data-api="/api/v1"' in page
    for path in ("/", "/kiosk", "/display", "/counter/5", "/dashboard", "/login", "/healthz"):
        assert client.get(path).status_code == 200, path
    for path in ("/h/town/", "/h/town/display", "/h/town/counter/1", "/h/town/healthz"):
        assert client.get(path).status_code == 200, path
    assert waiting(client, API) == 1 and waiting(client, TOWN) == 0


def test_an_unknown_hall_is_the_not_found_page(client: FlaskClient) -> None:
    for path in ("/h/nowhere/kiosk", "/h/nowhere/", "/h/nowhere", "/h/NOPE/display", "/h/%00/x"):
        response = client.get(path)
        assert response.status_code == 404, path
    page = client.get("/h/nowhere/kiosk")
    assert dash_config(page)["requests_pathname_prefix"] == "/"  # nowhere's callbacks: none
    drawn = route(client, "", "/h/nowhere/kiosk")
    assert '"not-found"' in drawn and "页面不存在" in drawn
    assert client.get("/h/nowhere/t/abc").status_code == 404
    posted = client.post(
        "/h/nowhere/_dash-update-component",
        json=callback_body(
            [("_pages_content", "children"), ("_pages_store", "data")],
            [("_pages_location", "pathname", "/"), ("_pages_location", "search", "")],
            [],
        ),
    )
    assert posted.status_code == 404


def test_signing_in_under_a_hall_comes_back_to_the_hall(
    client: FlaskClient, network: Network
) -> None:
    """The town's console asks its visitor to sign in at the town's sign-in page, and comes back
    to the town's console; signing out goes to the town's sign-in page."""
    staff.add_user(network.context(), "li", "clerk", PASSWORD, windows=[1])
    drawn = route(client, "/h/town", "/h/town/counter/1")
    assert '"/h/town/login?next=/h/town/counter/1"' in drawn
    out = client.get("/h/town/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/h/town/login"
