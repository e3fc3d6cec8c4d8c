from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clusters import Clusters, clusters


@pytest.fixture
def pg_clusters() -> Iterator[Clusters]:
    """PostgreSQL clusters the test starts itself (tests/clusters.py), stopped and removed after."""
    with clusters() as made:
        yield made
