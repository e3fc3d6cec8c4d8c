"""The counter's newer endpoints through the API: calling a given ticket (特呼) and taking back a
no-show. Window 5 calls tax and window 7 housing-fund (tests/halls/main.toml)."""

from __future__ import annotations

from flask.testing import FlaskClient

from queues.context import Context
from tests.api.test_api import API, auth, client, error_code, take, tokens, window_action
from tests.support import Clock

__all__ = ["client", "tokens"]  # the fixtures, shared with tests/api/test_api.py


def test_a_given_ticket_is_called_by_number_or_by_id(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    clerk = tokens["clerk"]
    take(client)
    second = take(client)
    third = take(client)
    window_action(client, clerk, 5, "resume")
    called = window_action(client, clerk, 5, "call", number="T003")
    assert called.status_code == 200
    assert (called.get_json()["number"], called.get_json()["status"]) == ("T003", "called")
    assert called.get_json()["id"] == third["id"]
    busy = window_action(client, clerk, 5, "call", number="T002")
    assert busy.status_code == 409 and error_code(busy) == "window_busy"
    window_action(client, clerk, 5, "finish")
    by_id = window_action(client, clerk, 5, "call", ticket=second["id"])
    assert by_id.status_code == 200 and by_id.get_json()["number"] == "T002"
    window_action(client, clerk, 5, "finish")
    assert window_action(client, clerk, 5, "call-next").get_json()["number"] == "T001"


def test_calling_a_number_refuses_what_this_window_cannot_call(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    clerk = tokens["clerk"]
    take(client, "housing-fund")  # Q001: window 7's
    window_action(client, clerk, 5, "resume")
    other = window_action(client, clerk, 5, "call", number="Q001")
    assert other.status_code == 409 and error_code(other) == "not_for_this_window"
    assert "住房公积金" in other.get_json()["error"]["message"]
    unknown = window_action(client, clerk, 5, "call", number="T404")
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_number"
    nonsense = window_action(client, clerk, 5, "call", number="#1")
    assert nonsense.status_code == 422 and error_code(nonsense) == "invalid_ticket_number"
    both = window_action(client, clerk, 5, "call", number="Q001", ticket="abc")
    assert both.status_code == 422 and error_code(both) == "invalid_request"
    neither = window_action(client, clerk, 5, "call")
    assert neither.status_code == 422
    assert client.post(f"{API}/windows/5/call", json={"number": "Q001"}).status_code == 401
    kiosk = client.post(
        f"{API}/windows/5/call", json={"number": "Q001"}, headers=auth(tokens["kiosk"])
    )
    assert kiosk.status_code == 403
    window_action(client, clerk, 7, "resume")
    assert window_action(client, clerk, 7, "call", number="q1").get_json()["number"] == "Q001"


def test_a_no_show_is_taken_back_only_within_its_seconds(
    client: FlaskClient, tokens: dict[str, str], ctx: Context, clock: Clock
) -> None:
    clerk = tokens["clerk"]
    take(client)
    take(client)
    window_action(client, clerk, 5, "resume")
    window_action(client, clerk, 5, "call-next")
    window_action(client, clerk, 5, "no-show")
    clock.advance(seconds=9)
    back = window_action(client, clerk, 5, "undo-no-show")
    assert back.status_code == 200
    assert (back.get_json()["number"], back.get_json()["status"]) == ("T001", "called")
    window_action(client, clerk, 5, "no-show")
    other_clerk = window_action(client, tokens["manager"], 5, "undo-no-show")
    assert other_clerk.status_code == 409 and error_code(other_clerk) == "nothing_to_undo"
    clock.advance(seconds=11)
    late = window_action(client, clerk, 5, "undo-no-show")
    assert late.status_code == 409 and error_code(late) == "nothing_to_undo"
    assert window_action(client, clerk, 5, "call-next").get_json()["number"] == "T002"


def test_openapi_describes_the_new_endpoints(client: FlaskClient) -> None:
    doc = client.get(f"{API}/openapi.json").get_json()
    call = doc["paths"][f"{API}/windows/{{window_id}}/call"]["post"]
    assert call["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CallRequest"
    }
    assert {"200", "404", "409", "422"} <= set(call["responses"])
    assert set(doc["components"]["schemas"]["CallRequest"]["properties"]) == {"number", "ticket"}
    undo = doc["paths"][f"{API}/windows/{{window_id}}/undo-no-show"]["post"]
    assert undo["security"] == [{"bearer": []}] and "409" in undo["responses"]
