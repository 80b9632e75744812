"""Issue 13 item 6: the maintenance banner can be dismissed for the session; a window not dismissed still shows,
and the button only ever sends the visitor back to a page of the same host."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from tests.factories import MaintenanceWindowFactory
from tests.helpers import host_of
from tests.maintenance.helpers import MARCH_SAT_NOON


def _banners(client: Client, path: str = "/help/") -> str:
    html = client.get(path).content.decode()
    return "".join(part.split("</div>")[0] for part in html.split('data-testid="maintenance-banner"')[1:])


def test_a_dismissed_banner_stays_hidden_for_the_session_and_another_window_still_shows(demo, clock) -> None:
    clock(MARCH_SAT_NOON - timedelta(days=2), tick=True)
    first = MaintenanceWindowFactory(start=MARCH_SAT_NOON, tenants=[demo], now=None,
                                     message_en="Database upgrade.")
    MaintenanceWindowFactory(start=MARCH_SAT_NOON + timedelta(days=7), tenants=[demo], now=None,
                                      message_en="Storage move.")
    client = Client(HTTP_HOST=host_of(demo))
    shown = _banners(client)
    assert "Database upgrade." in shown and "Storage move." in shown
    assert f'name="window" value="{first.pk}"' in shown and "Hide this notice" in shown

    response = client.post("/maintenance/banner/dismiss/", {"window": str(first.pk), "next": "/help/?role=learner"})
    assert (response.status_code, response["Location"]) == (302, "/help/?role=learner")
    shown = _banners(client, "/accessibility/")
    assert "Database upgrade." not in shown and "Storage move." in shown
    assert "Database upgrade." in _banners(Client(HTTP_HOST=host_of(demo)))  # another visitor still sees it


def test_the_dismiss_button_never_sends_the_visitor_off_the_host(demo) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        response = client.post("/maintenance/banner/dismiss/", {"window": "1", "next": target})
        assert (response.status_code, response["Location"]) == (302, "/"), target
    assert client.post("/maintenance/banner/dismiss/", {"window": "9" * 40}).status_code == 302
    assert client.get("/maintenance/banner/dismiss/").status_code == 405
