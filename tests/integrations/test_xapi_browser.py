"""Browser (real Chromium): acme's administrator (French) sets the LRS on /manage/xapi/, a learner enrols, the real
worker sends the statement to the fake LRS and the page shows it sent, the secret never shown back; demo's page
(English) with a failed statement; every page fits 1366 and 375 px wide screens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from courses import services as course_services
from integrations.models import LrsConfig, XapiStatement
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory

from .helpers import FakeLrs
from .test_integrations_browser import _no_horizontal_scroll

SHOTS = Path("/tmp/xapi17-screenshots")


@pytest.fixture
def schemas(transactional_db) -> Iterator[dict[str, str]]:
    names = dict(Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("slug", "schema_name"))
    yield names
    for schema_name in names.values():
        with schema_context(schema_name):
            LrsConfig.objects.all().delete()
            XapiStatement.objects.all().delete()


def _log_in(page, base: str, email: str, path: str) -> None:
    page.goto(f"{base}/login/?next={path}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}{path}")


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_administrator_sets_the_lrs_and_sees_statements_sent(
        live_server_port: int, page, celery_worker_session, lrs: FakeLrs, schemas: dict[str, str],
        settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    lrs.secret = "Zq8-hidden-pass"
    base = f"http://acme.localhost:{live_server_port}"
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, base, "admin@acme.test", "/manage/xapi/")
    assert page.get_by_test_id("xapi-unconfigured").inner_text() == (
        "Aucun LRS n’est encore configuré : aucune déclaration n’est envoyée.")

    page.get_by_label("Point d’accès du LRS (https://…/xapi/)").fill("http://lrs.example.com/xapi/")
    page.get_by_label("Clé du LRS").fill(lrs.key)
    page.get_by_label("Secret du LRS").fill(lrs.secret)
    page.get_by_test_id("lrs-save").click()
    assert "L'adresse doit utiliser HTTPS." in page.locator("form[data-testid=lrs-form]").inner_text()

    page.get_by_label("Point d’accès du LRS (https://…/xapi/)").fill(lrs.endpoint)
    page.get_by_label("Secret du LRS").fill(lrs.secret)
    page.get_by_test_id("lrs-save").click()
    page.wait_for_url(f"{base}/manage/xapi/")
    assert page.get_by_label("Secret du LRS").input_value() == ""
    assert lrs.secret not in page.content()
    assert page.get_by_test_id("lrs-secret-kept").is_visible()

    with schema_context(schemas["acme"]):
        course = CourseFactory(author=UserFactory(role="instructor"), title="Statistique appliquée")
        learner = UserFactory()
        course_services.enrollment_create(course=course, user=learner)
    deadline = time.monotonic() + 60
    while not lrs.stored() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [s["verb"]["display"]["en-US"] for s in lrs.stored()] == ["registered"]
    for _ in range(60):
        page.reload()
        if "envoyé" in page.get_by_test_id("xapi-status").first.inner_text():
            break
        time.sleep(0.5)
    row = page.get_by_test_id("xapi-statement").first.inner_text()
    assert "registered" in row and "Statistique appliquée" in row and f"#{learner.pk}" in row
    assert "envoyé (1 tentative)" in row
    assert page.get_by_test_id("xapi-counts").inner_text() == (
        "Déclarations envoyées : 1, en attente : 0, en échec : 0.")
    main = page.locator("main").inner_text()
    for english in ("Statements", "Latest", "Your LRS", "Save", "attempt"):
        assert english not in main, english
    _shots(page, "xapi-acme-fr")

    # demo, in English, with a statement the LRS refused.
    with schema_context(schemas["demo"]):
        from integrations.services.xapi import lrs_config_save

        lrs_config_save(endpoint="https://lrs.example.edu/xapi/", key="demo", secret="demo-secret", is_active=True,
                        actor=User.objects.get(email="admin@demo.test"))
        XapiStatement.objects.create(verb="completed", event_type="lesson.completed", status="failed",
                                     attempts_count=1, last_status_code=401,
                                     last_error="The LRS refused the key and secret (HTTP 401): check them on the "
                                                "xAPI page.",
                                     statement={"actor": {"account": {"name": "7"}},
                                                "object": {"definition": {"name": {"en": "Welcome"}}}})
    demo = f"http://demo.localhost:{live_server_port}"
    _log_in(page, demo, "admin@demo.test", "/manage/xapi/")
    assert "check them on the xAPI page" in page.get_by_test_id("xapi-error").inner_text()
    assert page.get_by_test_id("xapi-retry").is_visible()
    assert "demo-secret" not in page.content()
    _shots(page, "xapi-demo-en")
