"""Fixtures of the LTI tests: the fake platform on loopback, registered with the demo organisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .platform import FakePlatform


@pytest.fixture
def platform(demo) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    from tests.helpers import host_of

    server = FakePlatform(tool_port=80, tool_host=host_of(demo)).start()
    yield server
    server.stop()
