"""Ids of a site's own database in the site's range (HALLQ_SITE), set by ``hallq init-db``: two
site databases never make the same ticket, step or event id, so their rows can meet in the
district's database (tests/sites/test_replication.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from queues import services
from queues.store import sites
from queues.store.models import Event, Step, Ticket
from tests.clusters import Clusters
from tests.support import MAIN_HALL, make_context

SITE_1 = 2**40 + 1
"""The first id of site 1: 1 099 511 627 777."""


def init_db(url: str, site: int | None) -> tuple[int, str]:
    env = {"HALLQ_DATABASE_URL": url, "HALLQ_CONFIG": str(MAIN_HALL)}
    if site is not None:
        env["HALLQ_SITE"] = str(site)
    result = CliRunner().invoke(main, ["init-db"], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def ids_of_a_new_ticket(url: str) -> tuple[int, list[int], list[int]]:
    ctx = make_context(url, open_always=True)
    try:
        public = services.issue(ctx, "tax").ticket.id
        with ctx.db.read() as s:
            ticket = s.scalar(select(Ticket.id).where(Ticket.public_id == public))
            steps = list(s.scalars(select(Step.id).where(Step.ticket_id == ticket)))
            events = list(s.scalars(select(Event.id).where(Event.ticket_id == ticket)))
        return ticket, steps, events
    finally:
        ctx.db.dispose()


def test_each_site_draws_ids_from_its_own_range(pg_clusters: Clusters) -> None:
    server = pg_clusters.make("sites")
    town, village, district = (server.create_database(n) for n in ("town", "village", "district"))

    code, out = init_db(town, 1)
    assert code == 0, out
    assert "site 1: ids from 1099511627777 to 2199023255551" in out
    assert "tickets" in out and "steps" in out and "events" in out  # the sequences it moved
    assert init_db(village, 2)[0] == 0
    assert init_db(district, None)[0] == 0  # no HALLQ_SITE: the district's, site 0

    ticket, steps, events = ids_of_a_new_ticket(town)
    assert ticket == SITE_1 and steps == [SITE_1] and events and min(events) >= SITE_1
    assert ids_of_a_new_ticket(village)[0] == 2 * 2**40 + 1
    assert ids_of_a_new_ticket(district)[0] == 1
    assert {sites.site_of(i) for i in (ticket, *steps, *events)} == {1}

    # Again: nothing moves, and the sequence never goes back over ids already given.
    code, out = init_db(town, 1)
    assert code == 0 and "moved" not in out
    assert ids_of_a_new_ticket(town)[0] == SITE_1 + 1


def test_a_database_is_refused_a_site_whose_range_it_has_passed(pg_clusters: Clusters) -> None:
    server = pg_clusters.make("sites")
    town = server.create_database("town")
    assert init_db(town, 1)[0] == 0
    ids_of_a_new_ticket(town)
    code, out = init_db(town, 0)  # the town's database mistaken for the district's
    assert code == 2
    assert "past site 0's range" in out and "looks like site 1's" in out
    assert ids_of_a_new_ticket(town)[0] == SITE_1 + 1  # nothing was moved back


def test_sqlite_is_always_site_zero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hall.db"
    code, out = init_db(url, 1)
    assert code == 2 and "HALLQ_SITE=1 needs a PostgreSQL database" in out
    assert init_db(url, 0)[0] == 0
    assert ids_of_a_new_ticket(url)[0] == 1


def test_the_site_setting_is_checked() -> None:
    from runtime.settings import Settings, SettingsError

    assert Settings.from_env({"HALLQ_SITE": "3"}).site == 3
    assert Settings.from_env({}).site == 0
    for bad in ("-1", "x", str(sites.MAX_SITE + 1)):
        with pytest.raises(SettingsError, match="HALLQ_SITE"):
            Settings.from_env({"HALLQ_SITE": bad})
    assert sites.id_range(sites.MAX_SITE)[1] == 2**63  # the last site's ids fit a signed bigint
