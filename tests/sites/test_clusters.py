"""The throwaway clusters themselves: the sites tests stand on them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.clusters import Clusters, clusters, wait_for


def test_a_cluster_runs_with_its_settings_and_is_gone_afterwards() -> None:
    with clusters() as made:
        site = made.make("site", wal_level="logical")
        assert site.sql("SHOW wal_level") == [("logical",)]
        assert site.port != 5432
        url = site.create_database("hall")
        assert url.endswith(f":{site.port}/hall")
        base = made.base
    assert not Path(base).exists()


def test_a_replica_follows_its_primary(pg_clusters: Clusters) -> None:
    primary = pg_clusters.make("primary")
    primary.sql("CREATE TABLE seen (n int)")
    replica = pg_clusters.replica_of(primary)
    assert replica.sql("SELECT pg_is_in_recovery()") == [(True,)]
    primary.sql("INSERT INTO seen VALUES (7)")
    wait_for(lambda: replica.sql("SELECT n FROM seen") == [(7,)], what="row on the replica")


def test_a_failing_test_still_stops_and_removes_its_clusters() -> None:

    with pytest.raises(RuntimeError, match="the test failed"), clusters() as made:
        site = made.make("site")
        port, base = site.port, made.base
        raise RuntimeError("the test failed")
    assert not Path(base).exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=3)
