"""Issue 13 item 6: under 768 px the navigation folds behind a menu button (a script file: the CSP allows no
inline script); above, it is shown in full; without JavaScript it is shown in full at every width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tests.factories import UserFactory
from tests.helpers import unique


@pytest.fixture
def administrator(acme: Any) -> Iterator[User]:
    """An administrator of acme, deleted afterwards: the tenant schema keeps committed rows, and other tests
    count acme's administrators."""
    with schema_context(acme.schema_name):
        user = UserFactory(role=User.Role.ADMINISTRATOR, language="fr", email=f"{unique('menu')}@example.org")
    yield user
    with schema_context(acme.schema_name):
        User.objects.filter(pk=user.pk).delete()


def _signed_in_context(browser: Any, acme: Any, user: User, **options: Any) -> Any:
    client = Client(HTTP_HOST=acme.get_primary_domain().domain)
    with schema_context(acme.schema_name):
        client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "domain": "acme.localhost", "path": "/",
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context


def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(live_server_port: int, browser: Any,
                                                                     acme: Any, administrator: User) -> None:
    context = _signed_in_context(browser, acme, administrator, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"http://acme.localhost:{live_server_port}/courses/")
        button = page.get_by_role("button", name="Menu")
        billing = page.get_by_role("navigation", name="Principal").get_by_role("link", name="Facturation")
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert not billing.is_visible()
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 80  # was 43 % of the first screen with the banner
        button.click()
        assert button.get_attribute("aria-expanded") == "true" and billing.is_visible()
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false" and not billing.is_visible()
        assert page.evaluate("document.activeElement.className") == "menu-button"
        button.click()
        billing.click()
        page.wait_for_url("**/billing/")

        page.set_viewport_size({"width": 1366, "height": 900})
        assert not button.is_visible()
        assert page.get_by_role("navigation", name="Principal").get_by_role("link", name="Facturation").is_visible()
    finally:
        context.close()


def test_without_javascript_the_navigation_is_shown_in_full(live_server_port: int, browser: Any, acme: Any,
                                                             administrator: User) -> None:
    context = _signed_in_context(browser, acme, administrator, viewport={"width": 375, "height": 740},
                                 java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"http://acme.localhost:{live_server_port}/courses/")
        assert page.locator(".menu-button").is_hidden()
        assert page.get_by_role("navigation", name="Principal").get_by_role("link", name="Facturation").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
