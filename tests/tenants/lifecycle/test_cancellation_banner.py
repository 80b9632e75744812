"""A cancelled tenant that still has access shows its users when access ends (SPEC R12 — GCS art. 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tenants.services import tenant_cancel, tenant_suspend
from tests.helpers import host_of

# 1 July 2026 00:00 in Paris: the end of the period already paid.
ENDS = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
BEFORE = ENDS - timedelta(days=10)


def _logged_in(tenant: Tenant, email: str) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post("/login/", {"username": email, "password": "demo-password-2026"})
    assert response.status_code == 302, response.content
    return client


def _banner(html: bytes) -> str:
    text = html.decode()
    start = text.find('data-testid="cancellation-banner"')
    return "" if start < 0 else text[start:text.index("</div>", start)]


def test_learners_of_a_cancelled_tenant_see_the_date_access_ends_without_the_timeline_link(demo) -> None:
    with time_machine.travel(BEFORE, tick=False):
        tenant_cancel(tenant=demo, access_ends_at=ENDS)
        banner = _banner(_logged_in(demo, "learner1@demo.test").get("/").content)
    assert ("Your organisation's subscription is cancelled: access ends on July 1, 2026, midnight "
            "(Paris time).") in banner
    assert "/timeline/" not in banner


def test_administrators_of_a_cancelled_tenant_get_a_link_to_the_timeline(demo) -> None:
    with time_machine.travel(BEFORE, tick=False):
        tenant_cancel(tenant=demo, access_ends_at=ENDS)
        admin = _logged_in(demo, "admin@demo.test")
        banner = _banner(admin.get("/").content)
        timeline = admin.get("/timeline/")
    assert "access ends on July 1, 2026, midnight (Paris time)" in banner
    assert 'href="/timeline/"' in banner and "What happens to your data and when" in banner
    assert timeline.status_code == 200


def test_the_banner_speaks_french_to_french_users(demo) -> None:
    with schema_context(demo.schema_name):
        User.objects.filter(email__in=["learner1@demo.test", "admin@demo.test"]).update(language="fr")
    with time_machine.travel(BEFORE, tick=False):
        tenant_cancel(tenant=demo, access_ends_at=ENDS)
        learner = _banner(_logged_in(demo, "learner1@demo.test").get("/").content)
        admin = _banner(_logged_in(demo, "admin@demo.test").get("/").content)
    assert ("L'abonnement de votre organisation est résilié : l'accès prend fin le 1 juillet 2026 "
            "00:00 (heure de Paris).") in learner
    assert "Ce que deviennent vos données, et quand" in admin and "Ce que deviennent" not in learner


def test_no_banner_when_active_signed_out_locked_out_or_access_ended(demo) -> None:
    with time_machine.travel(BEFORE, tick=False):
        assert _banner(_logged_in(demo, "learner1@demo.test").get("/").content) == ""
        tenant_cancel(tenant=demo, access_ends_at=ENDS)
        assert _banner(Client(HTTP_HOST=host_of(demo)).get("/login/").content) == ""
    with time_machine.travel(ENDS, tick=False):
        admin = _logged_in(demo, "admin@demo.test")
        assert admin.get("/")["Location"] == "/account-status/"
        assert _banner(admin.get("/account-status/").content) == ""


def test_no_banner_for_a_suspended_tenant_that_cancelled(acme) -> None:
    with time_machine.travel(BEFORE, tick=False):
        tenant_suspend(tenant=acme, reason="unpaid")
        tenant_cancel(tenant=acme, access_ends_at=ENDS)
        admin = _logged_in(acme, "admin@acme.test")
        assert _banner(admin.get("/account-status/").content) == ""
