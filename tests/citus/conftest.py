"""tests/citus/ runs only under `make test-citus`, on the three-node cluster of infra/citus/ (tests/conftest.py
leaves the folder out otherwise). The whole session refuses to pretend: no Citus, no run."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.citus import citus_enabled, worker_nodes


@pytest.fixture(scope="session", autouse=True)
def _on_the_cluster(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        assert citus_enabled(), ("the test database has no citus extension: run `make test-citus` (after "
                                 "`python3 infra/citus/cluster.py destroy` if it was recreated with --create-db)")
        assert len(worker_nodes()) == 2, worker_nodes()
