"""Staff belong somewhere (issue 12, item 4): a hall's clerk, manager and token act in that hall
only, a network account or token in every hall, checked on the server at every callback and
endpoint the role audit covers (tests/api/test_callback_roles.py).

Two halls share one database and one deployment: the tests' hall ("new-district",
tests/halls/main.toml, the default: its paths without a code) and a town ("town",
tests/halls/town.toml: its pages under /h/town/, its API under /api/v1/halls/town/).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dash import Dash
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api.routes import api
from app import create_app
from cli import main as cli_main
from queues import errors, services
from queues.access import halls, staff, tokens
from queues.context import Context
from queues.network import Network
from queues.read import counters
from queues.store.models import User
from tests.api.test_callback_roles import (
    PASSWORD,
    PUBLIC_PREFIXES,
    add_person,
    as_user,
    call_next_at,
    component_ids,
    end_session_of,
    post_callback,
    staff_refresh_body,
)
from tests.hostile import forge
from tests.support import MAIN_HALL, TOWN_HALL, Clock, make_network

MAIN, TOWN = "new-district", "town"
NAMES = itertools.count()
API = "/api/v1"
AUDIT = settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def network(any_url: str, clock: Clock) -> Iterator[Network]:
    """The tests' hall (the default) and the town, one database, one deployment (on SQLite, and
    on PostgreSQL when one is configured)."""
    net = make_network(any_url, clock)
    yield net
    net.context().db.dispose()


@pytest.fixture
def two(network: Network) -> tuple[Context, Context]:
    """The tests' hall and the town, each its own context."""
    return network.context(MAIN), network.context(TOWN)


class InHall(FlaskClient):
    """A client of one hall: its pages and callbacks under ``/h/<hall>/``, its API under
    ``/api/v1/halls/<hall>/`` (None: the default hall's paths, without a code)."""

    hall: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if self.hall is not None and args and isinstance(args[0], str):
            path = args[0]
            if path.startswith(API + "/"):
                path = f"{API}/halls/{self.hall}{path[len(API) :]}"
            else:
                path = f"/h/{self.hall}{path}"
            args = (path, *args[1:])
        return super().open(*args, **kwargs)


class Serving:
    """The halls' pages and API over HTTP: ``serving(ctx)`` is a browser's (or a script's)
    client of hall ``ctx``; ``serving.app`` the one app that serves every hall, the tests'
    hall (the default) by the paths without a code, the town under its code."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.app: Dash = create_app(network)
        self.app.server.test_client_class = InHall

    def prefix(self, ctx: Context) -> str:
        """Where hall ``ctx``'s pages are: ``/h/<hall>``, or "" for the default hall."""
        return "" if ctx.hall == self.network.default else f"/h/{ctx.hall}"

    def __call__(self, ctx: Context) -> FlaskClient:
        client = self.app.server.test_client()
        assert isinstance(client, InHall)
        client.hall = None if ctx.hall == self.network.default else ctx.hall
        client.get("/")
        return client


@pytest.fixture
def serving(network: Network) -> Serving:
    return Serving(network)


def post(client: FlaskClient, body: dict[str, Any]) -> int:
    return client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    ).status_code


def staff_callbacks(app: Dash) -> list[tuple[str, dict[str, Any]]]:
    """Every callback the role audit counts as staff's (not on a visitor's screen)."""
    return [
        (key, spec)
        for key, spec in forge.server_callbacks(app.callback_map)
        if not all(i.startswith(PUBLIC_PREFIXES) for i in component_ids(spec))
    ]


def names(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(User.name).order_by(User.name)))


# --- the rule --------------------------------------------------------------------------------


def test_a_network_account_acts_everywhere_a_halls_only_at_home(
    two: tuple[Context, Context],
) -> None:
    main, town = two
    clerk = staff.add_user(main, "wang", "clerk", PASSWORD)  # made in the hall: of the hall
    boss = staff.add_user(main, "zhou", "manager", PASSWORD, hall=halls.NETWORK)
    there = staff.add_user(town, "chen", "manager", PASSWORD)
    assert (clerk.hall, boss.hall, there.hall) == (MAIN, None, TOWN)
    assert clerk.may_act_in(MAIN) and not clerk.may_act_in(TOWN)
    assert boss.may_act_in(MAIN) and boss.may_act_in(TOWN)
    assert there.may_act_in(TOWN) and not there.may_act_in(MAIN)
    kiosk = tokens.authenticate(main, tokens.create_token(main, "kiosk", "k1"))
    net = tokens.authenticate(main, tokens.create_token(main, "admin", "etl", hall=None))
    assert kiosk is not None and net is not None
    assert (kiosk.hall, net.hall) == (MAIN, None)
    assert kiosk.may_act_in(MAIN) and not kiosk.may_act_in(TOWN)
    assert net.may_act_in(MAIN) and net.may_act_in(TOWN)


def test_an_account_or_token_belongs_to_a_hall_there_is(two: tuple[Context, Context]) -> None:
    main, _ = two
    with pytest.raises(errors.UnknownHall):
        staff.add_user(main, "wang", "clerk", PASSWORD, hall="nowhere")
    with pytest.raises(errors.UnknownHall):
        tokens.create_token(main, "clerk", "tablet", hall="nowhere")
    with pytest.raises(errors.NetworkKiosk):  # a kiosk stands in one hall
        tokens.create_token(main, "kiosk", "k1", hall=None)
    assert names(main) == []
    assert staff.add_user(main, "wang", "clerk", PASSWORD, hall=MAIN).hall == MAIN


def test_accounts_from_before_halls_are_network_accounts(two: tuple[Context, Context]) -> None:
    """An account made before accounts had halls (hall NULL after the migration) goes on
    working everywhere, as it did in the one hall there was."""
    main, town = two
    staff.add_user(main, "old-admin", "admin", PASSWORD)
    with main.db.network.write() as s:
        s.scalars(select(User)).one().hall = None  # as the migration leaves it
    (user,) = staff.users(town)
    assert user.hall is None and user.may_act_in(TOWN)


# --- every callback --------------------------------------------------------------------------


@AUDIT
@given(data=st.data())
def test_a_halls_clerk_and_manager_are_refused_at_every_callback_of_another_hall(
    two: tuple[Context, Context], data: st.DataObject, serving: Serving
) -> None:
    """The audit of test_callback_roles, signed in: a clerk and a manager (and an
    administrator) of the tests' hall get 403 from every staff callback of the town, whatever
    the request says; the town's own manager and a network administrator get past the check."""
    main, town = two
    suffix = next(NAMES)
    strangers = [
        staff.add_user(main, f"clerk{suffix}", "clerk", PASSWORD),
        staff.add_user(main, f"mgr{suffix}", "manager", PASSWORD),
        staff.add_user(main, f"adm{suffix}", "admin", PASSWORD),
    ]
    network = staff.add_user(main, f"net{suffix}", "admin", PASSWORD, hall=None)
    home = staff.add_user(town, f"town{suffix}", "admin", PASSWORD)
    client = serving(town)
    app = serving.app
    assert app is not None
    bodies = [(key[:50], data.draw(forge.body(key, spec))) for key, spec in staff_callbacks(app)]
    assert len(bodies) >= 20
    for user in strangers:
        as_user(client, user)
        seen = [(key, post(client, body)) for key, body in bodies]
        assert all(code == 403 for _, code in seen), (user.name, seen)
    for user in (network, home):
        as_user(client, user)
        refused = [
            (key, code) for key, body in bodies if (code := post(client, body)) in (401, 403)
        ]
        if user is network:
            assert refused == [], refused
        else:  # the town's own administrator: everything but the network's pages (/network)
            assert refused and all(key.strip(".").startswith("net-") for key, _ in refused)


def test_a_clerk_calls_at_home_and_not_in_the_town(
    two: tuple[Context, Context], serving: Serving
) -> None:
    """The same clerk, the same window number: the tests' hall's window 5 calls, the town's
    window 1 refuses, and the town's queue is as it was."""
    main, town = two
    clerk = staff.add_user(main, "wang", "clerk", PASSWORD)
    services.resume(main, 5, "clerk:other")
    services.issue(main, "tax")
    services.resume(town, 1, "clerk:town")
    services.issue(town, "tax")
    client = serving(town)
    as_user(client, clerk)
    assert call_next_at(client, 1).status_code == 403
    assert services.call_next(town, 1, "clerk:town").number == "T001"  # still waiting
    client = serving(main)
    as_user(client, clerk)
    assert call_next_at(client, 5).status_code == 200
    (five,) = [w for w in counters.windows(main) if w.id == 5]
    assert five.current is not None and five.current.number == "T001"  # wang called it


# --- every endpoint --------------------------------------------------------------------------


def path_of(rule: str) -> str:
    """A route's rule with each id filled in with a value of its type."""
    return (
        rule.replace("<int:window_id>", "1")
        .replace("<int:job_id>", "1")
        .replace("<ticket_id>", "abc")
        .replace("<kiosk>", "k1")
        .replace("<code>", "ACDEFHJK")
        .replace("<int:bar_id>", "1")
    )


def ask(client: FlaskClient, method: str, path: str, token: str) -> Any:
    return client.open(
        API + path, method=method, json={}, headers={"Authorization": f"Bearer {token}"}
    )


def test_a_halls_tokens_are_refused_at_every_endpoint_of_another_hall(
    two: tuple[Context, Context], serving: Serving
) -> None:
    main, town = two
    strangers = {
        role: tokens.create_token(main, role, "k1" if role == "kiosk" else f"{role}-main")
        for role in tokens.ROLES
    }
    client = serving(town)
    assert len(api.routes) >= 15
    for r in api.routes:
        if r.network:  # about every hall (the list of halls): any hall's token reads it
            assert ask(client, r.method, path_of(r.rule), strangers["clerk"]).status_code == 200
            continue
        for role, token in strangers.items():
            answer = ask(client, r.method, path_of(r.rule), token)
            assert answer.status_code == 403, (r.method, r.rule, role, answer.get_json())
            assert answer.get_json()["error"]["code"] in ("hall_not_yours", "forbidden")
            if r.roles is None or role in r.roles:  # refused for its hall, not its role
                error = answer.get_json()["error"]
                assert error["code"] == "hall_not_yours", (r.rule, role)
                assert error["message"] == (f"此令牌属于大厅 {MAIN}，不能在大厅 {TOWN} 使用。")


def test_network_tokens_pass_the_check_at_every_endpoint(
    two: tuple[Context, Context], serving: Serving
) -> None:
    """A network token of each staff role a route takes gets past the check in the town (no
    route takes kiosk tokens only; the town's own tokens: the next test)."""
    main, town = two
    network = {
        role: tokens.create_token(main, role, f"{role}-net", hall=None)
        for role in ("clerk", "manager", "admin")
    }
    client = serving(town)
    for r in api.routes:
        roles = [role for role in r.roles or ("admin",) if role != "kiosk"]
        assert roles, r.rule
        for role in roles:
            answer = ask(client, r.method, path_of(r.rule), network[role])
            assert answer.status_code not in (401, 403), (r.rule, role, answer.get_json())


def test_the_town_window_refuses_the_districts_clerk_token(
    two: tuple[Context, Context], serving: Serving
) -> None:
    main, town = two
    ours = tokens.create_token(town, "clerk", "town-tablet", windows=[1])
    theirs = tokens.create_token(main, "clerk", "district-tablet")
    client = serving(town)
    refused = ask(client, "POST", "/windows/1/resume", theirs)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "hall_not_yours"
    assert ask(client, "POST", "/windows/1/resume", ours).status_code == 200


# --- the staff page --------------------------------------------------------------------------


def people_shown(client: FlaskClient) -> list[list[str]]:
    """The staff page's accounts table as its rows' cells (name, shown as, role, windows,
    hall, account)."""
    answer = client.post(
        "/_dash-update-component",
        json=staff_refresh_body("en"),
        headers={"Origin": "http://localhost"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    table = answer.get_json()["response"]["staff-people"]["children"]
    rows = table["props"]["children"][1]["props"]["children"]
    return [[cell["props"]["children"] for cell in row["props"]["children"]] for row in rows]


def test_a_halls_manager_sees_and_changes_only_the_halls_accounts(
    two: tuple[Context, Context], serving: Serving
) -> None:
    main, town = two
    manager = staff.add_user(main, "li", "manager", PASSWORD)
    staff.add_user(main, "wang", "clerk", PASSWORD)
    staff.add_user(town, "chen", "clerk", PASSWORD)
    staff.add_user(main, "zhou", "manager", PASSWORD, hall=None)
    client = serving(main)
    app = serving.app
    assert app is not None
    as_user(client, manager)
    shown = people_shown(client)
    assert [(row[0], row[4]) for row in shown] == [("li", MAIN), ("wang", MAIN)]
    for target in ("chen", "zhou"):  # another hall's, the network's: not theirs to change
        with pytest.raises(errors.UnknownUser):
            staff.may_change(main, manager, target)
    staff.may_change(main, manager, "wang")
    chen_signed_in = staff.sign_in(town, "chen", PASSWORD).token
    (session,) = staff.sessions_of(town, "chen")
    assert "chen" not in json.dumps(
        client.post(
            "/_dash-update-component",
            json=staff_refresh_body("en"),
            headers={"Origin": "http://localhost"},
        ).get_json()["response"]["staff-sessions"]
    )
    ended = end_session_of(client, app, session.id)
    assert "ended or expired already" in ended.get_data(as_text=True)
    assert staff.session_user(town, chen_signed_in) is not None  # still signed in


def test_a_network_admin_sees_every_account_with_its_hall(
    two: tuple[Context, Context], serving: Serving
) -> None:
    main, town = two
    admin = staff.add_user(main, "root", "admin", PASSWORD, hall=None)
    staff.add_user(main, "wang", "clerk", PASSWORD)
    staff.add_user(town, "chen", "clerk", PASSWORD)
    client = serving(town)
    as_user(client, admin)
    shown = [(row[0], row[4]) for row in people_shown(client)]
    assert shown == [("chen", TOWN), ("root", "network"), ("wang", MAIN)]
    assert add_person(client, "zhao", hall="").status_code == 200  # a network clerk
    assert add_person(client, "sun").status_code == 200  # the page's own hall
    made = {u.name: u.hall for u in staff.users(town)}
    assert made["zhao"] is None and made["sun"] == TOWN
    # on the district's page, an account of the town: the hall chooser offers every hall
    client = serving(main)
    as_user(client, admin)
    page = client.post(
        "/_dash-update-component",
        json=pages_body("/staff"),
        headers={"Origin": "http://localhost"},
    ).get_json()
    assert "竹办便民服务中心 (town)" in json.dumps(page, ensure_ascii=False)
    assert add_person(client, "qian", hall=TOWN).status_code == 200
    assert {u.name: u.hall for u in staff.users(main)}["qian"] == TOWN


def test_a_halls_manager_makes_accounts_of_the_hall_only(
    two: tuple[Context, Context], monkeypatch: pytest.MonkeyPatch, serving: Serving
) -> None:
    main, _ = two
    # the network's hall list, as the lead's network will give it (halls.known_halls)
    monkeypatch.setattr(halls, "known_halls", lambda ctx: (MAIN, TOWN))
    manager = staff.add_user(main, "li", "manager", PASSWORD)
    client = serving(main)
    as_user(client, manager)
    for hall in (TOWN, ""):  # the town, the network
        refused = add_person(client, f"x{hall}", hall=hall)
        assert refused.status_code == 200
        words = json.dumps(refused.get_json(), ensure_ascii=False)
        assert "无权操作大厅" in words, words
    assert add_person(client, "wang").status_code == 200
    assert add_person(client, "zhang", hall=MAIN).status_code == 200
    assert {u.name: u.hall for u in staff.users(main)} == {
        "li": MAIN,
        "wang": MAIN,
        "zhang": MAIN,
    }
    with pytest.raises(errors.NotYourHall):
        staff.may_make_in(main, manager, TOWN)
    assert staff.may_make_in(main, staff.add_user(main, "n", "manager", PASSWORD, hall=None), TOWN)


# --- signing in ------------------------------------------------------------------------------


def sign_in_at(client: FlaskClient, name: str, target: str | None) -> str:
    answer = post_callback(
        client,
        [("login-go", "href"), ("login-message", "children")],
        [("login-submit", "n_clicks", 1), ("login-password", "n_submit", None)],
        [
            ("login-name", "value", name),
            ("login-password", "value", PASSWORD),
            ("login-next", "data", target),
            ("login-lang", "data", "zh"),
        ],
    )
    return answer.get_json()["response"]["login-go"]["href"]


def test_staff_sign_in_anywhere_and_land_in_their_own_hall(
    two: tuple[Context, Context], serving: Serving
) -> None:
    main, town = two
    staff.add_user(main, "wang", "clerk", PASSWORD, windows=[5])
    staff.add_user(main, "li", "manager", PASSWORD)
    staff.add_user(main, "zhou", "manager", PASSWORD, hall=None)
    client = serving(town)
    town_pages = serving.prefix(town)  # the town's pages, as its sign-in page writes them
    assert sign_in_at(client, "wang", f"{town_pages}/counter/1") == f"/h/{MAIN}/counter/5"
    assert sign_in_at(client, "li", f"{town_pages}/staff") == f"/h/{MAIN}/dashboard"
    # a network account: where asked, or the dashboard of the hall where they signed in
    assert sign_in_at(client, "zhou", f"{town_pages}/staff") == f"{town_pages}/staff"
    assert sign_in_at(client, "zhou", None) == f"{town_pages}/dashboard"
    client = serving(main)
    assert sign_in_at(client, "wang", "/counter/6") == "/counter/6"  # at home: where asked


def test_another_halls_page_says_whose_it_is(
    two: tuple[Context, Context], serving: Serving
) -> None:
    """A town clerk who opens the district's counter or a manager its staff page is refused in
    words (and the page's callbacks answer 403), not with a traceback."""
    main, town = two
    clerk = staff.add_user(town, "chen", "clerk", PASSWORD)
    manager = staff.add_user(town, "liu", "manager", PASSWORD)
    client = serving(main)
    for user, page in ((clerk, "/counter/5"), (manager, "/staff"), (manager, "/dashboard")):
        as_user(client, user)
        answer = client.post(
            "/_dash-update-component",
            json=pages_body(page),
            headers={"Origin": "http://localhost"},
        )
        assert answer.status_code == 200
        words = json.dumps(answer.get_json(), ensure_ascii=False)
        assert f"您的账号属于大厅 {TOWN}，不能使用大厅 {MAIN} 的页面。" in words, page
        assert f"/h/{TOWN}/" in words  # and a way home


def pages_body(path: str) -> dict[str, Any]:
    """What the browser posts for Dash's page routing when it opens ``path``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


# --- the command line ------------------------------------------------------------------------


def test_the_command_line_makes_hall_and_network_accounts_and_tokens(
    two: tuple[Context, Context],
) -> None:
    main, _ = two
    env = {"HALLQ_DATABASE_URL": str(main.db.url), "HALLQ_CONFIG": str(MAIN_HALL)}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Any:
        return runner.invoke(cli_main, list(args), env=env, input=stdin)

    made = run("user", "add", "wang", "--role", "clerk", "--password-stdin", stdin=PASSWORD)
    assert made.exit_code == 0, made.output
    assert f"wang (clerk, hall {MAIN}) can sign in" in made.output
    made = run(
        "user", "add", "zhou", "--role", "admin", "--network", "--password-stdin", stdin=PASSWORD
    )
    assert "zhou (admin, every hall of the network)" in made.output
    both = run("user", "add", "x", "--role", "clerk", "--hall", MAIN, "--network")
    assert both.exit_code != 0 and "not both" in both.output
    unknown = run(
        "user",
        "add",
        "y",
        "--role",
        "clerk",
        "--hall",
        "nowhere",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert unknown.exit_code != 0 and "There is no hall with the code nowhere" in unknown.output
    assert {u.name: u.hall for u in staff.users(main)} == {"wang": MAIN, "zhou": None}
    listed = run("user", "list").output
    assert "(network)" in listed and MAIN in listed
    token = run("token", "create", "--role", "manager", "--name", "etl", "--network")
    assert token.exit_code == 0 and "every hall of the network" in token.output
    kiosk = run("token", "create", "--role", "kiosk", "--name", "k1", "--network")
    assert kiosk.exit_code != 0 and "kiosk token belongs to the kiosk's hall" in kiosk.output
    tablet = run("token", "create", "--role", "clerk", "--name", "t5", "--windows", "5")
    assert f"hall {MAIN}" in tablet.output
    who = tokens.authenticate(main, tablet.output.strip().splitlines()[-1])
    assert who is not None and who.hall == MAIN
    assert [(t.name, t.hall) for t in tokens.tokens(main)] == [("etl", None), ("t5", MAIN)]


def test_the_command_line_makes_a_towns_accounts_from_the_network_file(
    two: tuple[Context, Context], tmp_path: Path
) -> None:
    """With a network file, ``--hall CODE`` makes the account in that hall (its windows are
    that hall's), and a code the network does not name is refused."""
    main, town = two
    network = tmp_path / "network.toml"
    network.write_text(
        f"""default = "{MAIN}"

[[halls]]
code = "{MAIN}"
level = "district"
file = "{MAIN_HALL}"

[[halls]]
code = "{TOWN}"
level = "town"
parent = "{MAIN}"
file = "{TOWN_HALL}"
""",
        encoding="utf-8",
    )
    env = {"HALLQ_DATABASE_URL": str(main.db.url), "HALLQ_CONFIG": str(network)}
    runner = CliRunner()
    args = ["user", "add", "chen", "--role", "clerk", "--windows", "2", "--password-stdin"]
    made = runner.invoke(cli_main, [*args, "--hall", TOWN], env=env, input=PASSWORD)
    assert made.exit_code == 0, made.output
    assert "chen (clerk, hall town) at windows 2 can sign in" in made.output
    (chen,) = staff.users(town)
    assert chen.hall == TOWN and chen.may_act_in(TOWN) and not chen.may_act_in(MAIN)
    wrong = runner.invoke(cli_main, [*args, "--hall", "nowhere"], env=env, input=PASSWORD)
    assert wrong.exit_code != 0 and "There is no hall with the code nowhere" in wrong.output
    token = runner.invoke(
        cli_main, ["token", "create", "--role", "kiosk", "--name", "k1", "--hall", TOWN], env=env
    )
    assert token.exit_code != 0 and "There is no kiosk k1" in token.output  # the town has none
