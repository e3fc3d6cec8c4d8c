"""A town site on its own PostgreSQL, its rows reaching the district's database by logical
replication (``hallq replication``): two clusters started by the test, the site's with
``wal_level=logical``; the link cut and restored while the town goes on working."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from cli import main
from queues import services
from queues.context import Context
from queues.hall import config as hall_config
from queues.read import rollups
from queues.store import sites
from queues.store.db import Database
from queues.store.models import Step, Ticket
from tests.clusters import Clusters, wait_for
from tests.support import HALLS, MAIN_HALL, Clock, make_context

TOWN = HALLS / "town.toml"  # hall "town": tax (T) at window 1
DAY = Clock().now.date()
CLERK = "user:li"


def hallq(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def serve(ctx: Context, window: int, issued: int, served: int) -> None:
    """``issued`` tax tickets; window ``window`` calls and finishes the first ``served``."""
    services.resume(ctx, window, CLERK)
    for _ in range(issued):
        services.issue(ctx, "tax")
    for _ in range(served):
        services.call_next(ctx, window, CLERK)
        services.start(ctx, window, CLERK)
        services.finish(ctx, window, CLERK)


def tickets_by_hall(network: Database) -> dict[str, list[tuple[int, str, str]]]:
    """What the district's database holds, across halls: each hall's (id, number, status)."""
    out: dict[str, list[tuple[int, str, str]]] = {}
    with network.report() as s:
        rows = s.execute(
            select(Ticket.hall, Ticket.id, Ticket.number, Step.status)
            .join(Step, Step.ticket_id == Ticket.id)
            .order_by(Ticket.hall, Ticket.id)
        )
        for hall, ticket, number, status in rows:
            out.setdefault(hall, []).append((ticket, number, status))
    return out


def test_a_town_site_reaches_the_district_and_works_on_while_the_link_is_down(
    pg_clusters: Clusters, clock: Clock
) -> None:
    site_server = pg_clusters.make("site", wal_level="logical")
    district_server = pg_clusters.make("district")
    site_url = site_server.create_database("town")
    district_url = district_server.create_database("district")
    at_site = {"HALLQ_DATABASE_URL": site_url, "HALLQ_CONFIG": str(TOWN), "HALLQ_SITE": "1"}
    at_district = {"HALLQ_DATABASE_URL": district_url, "HALLQ_CONFIG": str(MAIN_HALL)}

    # Each database set up by hallq; the site's ids in site 1's range; publish, subscribe.
    assert "site 1: ids from 1099511627777" in hallq(at_site, "init-db")
    hallq(at_district, "init-db")
    published = hallq(at_site, "replication", "publish")
    assert published.startswith("CREATE PUBLICATION hallq_site FOR TABLE zones, services")
    assert "users" not in published and "staff_sessions" not in published
    assert "hallq_town" in hallq(at_district, "replication", "subscribe", "town", site_url)
    assert "already subscribed" in hallq(at_district, "replication", "subscribe", "town", site_url)

    # A morning at both: the town issues three and serves two; the district two and one.
    town = make_context(site_url, clock, open_always=True, hall=TOWN)
    district = make_context(district_url, clock, open_always=True)
    serve(town, window=1, issued=3, served=2)
    serve(district, window=5, issued=2, served=1)

    network = Database(district_url)  # the district's view across halls
    wait_for(
        lambda: len(tickets_by_hall(network).get("town", [])) == 3,
        what="the town's tickets in the district's database",
    )
    held = tickets_by_hall(network)
    first = sites.id_range(1)[0]
    assert held["town"] == [
        (first, "T001", "done"),
        (first + 1, "T002", "done"),
        (first + 2, "T003", "waiting"),
    ]
    assert held["new-district"] == [(1, "T001", "done"), (2, "T002", "waiting")]

    # The district reads the town's day as the town does: served, waiting, its windows.
    town_at_district = Context(
        db=Database(district_url), config=hall_config.load(TOWN), clock=clock, open_always=True
    )
    seen = rollups.report(town_at_district, DAY, DAY)["all"]
    assert (seen.issued, seen.handled) == (3, 2)
    assert rollups.report(town_at_district, DAY, DAY, "window")[1].handled == 2
    assert rollups.report(district, DAY, DAY)["all"].handled == 1  # the district's own apart

    # The link is cut: the district's server is down. The town goes on issuing and calling.
    district_server.stop()
    clock.advance(minutes=30)
    services.issue(town, "tax")
    services.call_next(town, 1, CLERK)  # T003
    services.start(town, 1, CLERK)
    services.finish(town, 1, CLERK)
    assert services.call_next(town, 1, CLERK).number == "T004"

    # Back: what the town did meanwhile arrives.
    district_server.start()
    wait_for(
        lambda: (
            [n for _, n, st in tickets_by_hall(network).get("town", []) if st != "waiting"]
            == ["T001", "T002", "T003", "T004"]
        ),
        seconds=60,
        what="the town's work during the cut in the district's database",
    )
    seen = rollups.report(town_at_district, DAY, DAY)["all"]
    assert (seen.issued, seen.called, seen.handled) == (4, 4, 3)
    with network.report() as s:  # no key met another: every town id in the town's range
        ids = s.execute(select(Ticket.hall, func.min(Ticket.id)).group_by(Ticket.hall)).all()
    assert dict(ids) == {"new-district": 1, "town": first}
    status = hallq(at_district, "replication", "status")
    assert "hallq_town\tenabled" in status and status.rstrip().endswith("errors 0")

    for db in (town.db, district.db, network, town_at_district.db):
        db.dispose()


def test_replication_is_set_up_only_where_it_belongs(pg_clusters: Clusters) -> None:
    server = pg_clusters.make("plain")  # wal_level replica: no logical decoding
    url = server.create_database("town")
    env = {"HALLQ_DATABASE_URL": url, "HALLQ_CONFIG": str(TOWN)}
    hallq(env, "init-db")  # as the district's (site 0)

    def refused(extra: dict[str, str], *args: str) -> str:
        result = CliRunner().invoke(main, list(args), env={**env, **extra})
        assert result.exit_code == 2, result.output
        return result.output

    assert "set HALLQ_SITE=1..N" in refused({}, "replication", "publish")  # the district's
    assert "run `hallq init-db` with HALLQ_SITE=1 first" in refused(
        {"HALLQ_SITE": "1"}, "replication", "publish"
    )  # its ids would meet the district's
    hallq({**env, "HALLQ_SITE": "1"}, "init-db")
    assert "wal_level = logical" in refused({"HALLQ_SITE": "1"}, "replication", "publish")
    assert "HALLQ_SITE=0" in refused({"HALLQ_SITE": "1"}, "replication", "subscribe", "t", url)
    for name in ("Town", "town; DROP TABLE tickets", "1town", "x" * 41, ""):
        assert "site name" in refused({}, "replication", "subscribe", name, url)
    assert "between PostgreSQL databases" in refused(
        {}, "replication", "subscribe", "town", "sqlite:///town.db"
    )
    printed = hallq(env, "replication", "subscribe", "town", url + "?x='y", "--print-only")
    assert "CONNECTION 'postgresql://postgres@127.0.0.1:" in printed
    assert printed.count("'") == 2  # a quote in the URL cannot end the SQL string
    assert server.sql("SELECT count(*) FROM pg_subscription") == [(0,)]  # printed, not run


def test_a_district_holding_the_sites_hall_already_is_refused_the_subscription(
    pg_clusters: Clusters,
) -> None:
    site_server = pg_clusters.make("site", wal_level="logical")
    district_server = pg_clusters.make("district")
    site_url = site_server.create_database("town")
    district_url = district_server.create_database("district")
    hallq({"HALLQ_DATABASE_URL": site_url, "HALLQ_CONFIG": str(TOWN), "HALLQ_SITE": "1"}, "init-db")
    hallq({"HALLQ_DATABASE_URL": site_url, "HALLQ_SITE": "1"}, "replication", "publish")
    # The town's hall file loaded at the district too: its rows would meet the site's.
    at_district = {"HALLQ_DATABASE_URL": district_url, "HALLQ_CONFIG": str(TOWN)}
    hallq(at_district, "init-db")
    result = CliRunner().invoke(
        main, ["replication", "subscribe", "town", site_url], env=at_district
    )
    assert result.exit_code == 2
    assert "already holds hall town of site town" in result.output
    assert district_server.sql("SELECT count(*) FROM pg_subscription") == [(0,)]
    unreachable = "postgresql://postgres@127.0.0.1:1/town"
    result = CliRunner().invoke(
        main, ["replication", "subscribe", "town", unreachable], env=at_district
    )
    assert result.exit_code == 2 and "does not answer from here" in result.output
