"""State errors and lifecycle messages in the tenant's language (SPEC R11, R14; tenants/locale/fr)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tenants.services import IllegalTransitionError, tenant_suspend, tenant_terminate
from tests.helpers import api_client, api_token, host_of

SUSPENDED_FR = ("L'accès à cette organisation est suspendu jusqu'au paiement des sommes dues. "
                "Ses administrateurs peuvent toujours accéder à la facturation.")
SUSPENDED_EN = ("Access to this organisation is suspended until the sums due are paid. "
                "Its administrators can still reach billing.")


def _french(tenant: Tenant, *emails: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(language="fr")
    with schema_context(tenant.schema_name):
        User.objects.filter(email__in=emails).update(language="fr")


def test_api_error_of_a_suspended_tenant_is_in_the_french_users_language(demo) -> None:
    _french(demo, "learner1@demo.test")
    token = api_token(host_of(demo), "learner1@demo.test")
    tenant_suspend(tenant=demo, reason="unpaid")
    response = api_client(host_of(demo), token).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "tenant_suspended", "message": SUSPENDED_FR,
                                         "details": {"state": "suspended"}}}


def test_api_error_follows_the_tenant_language_before_the_browsers(demo) -> None:
    _french(demo)
    tenant_suspend(tenant=demo, reason="unpaid")
    silent = Client(HTTP_HOST=host_of(demo)).get("/api/v1/courses/")
    assert (silent.status_code, silent.json()["error"]["message"]) == (403, SUSPENDED_FR)
    browser = Client(HTTP_HOST=host_of(demo)).get("/api/v1/courses/", HTTP_ACCEPT_LANGUAGE="en")
    assert browser.json()["error"]["message"] == SUSPENDED_FR  # the organisation's language before the browser's
    chosen = Client(HTTP_HOST=host_of(demo))
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert chosen.get("/api/v1/courses/").json()["error"]["message"] == SUSPENDED_EN


def test_access_ended_api_error_in_french_gives_the_destruction_date(demo) -> None:
    _french(demo)
    with time_machine.travel(datetime(2026, 1, 15, 9, 30, tzinfo=UTC), tick=False):
        tenant_terminate(tenant=demo, reason="offence")
        response = Client(HTTP_HOST=host_of(demo)).get("/api/v1/courses/")
    assert response.json()["error"] == {
        "code": "tenant_access_ended",
        "message": "L'abonnement de cette organisation a pris fin ; ses données sont conservées jusqu'au "
                   "14 juillet 2026 et ses administrateurs peuvent les exporter.",
        "details": {"state": "retention"}}


def test_french_administrator_reads_the_information_screen_and_timeline_in_french(demo) -> None:
    _french(demo, "admin@demo.test")
    with time_machine.travel(datetime(2026, 1, 15, 9, 30, tzinfo=UTC), tick=False):
        tenant_terminate(tenant=demo, reason="offence")
        admin = Client(HTTP_HOST=host_of(demo))
        assert admin.post("/login/", {"username": "admin@demo.test", "password": "demo-password-2026"}
                          ).status_code == 302
        screen = unescape(admin.get("/account-status/").content.decode())
        timeline = unescape(admin.get("/timeline/").content.decode())
    assert "Accès terminé" in screen and "ses données sont conservées jusqu'au 14 juillet 2026" in screen
    assert "Organisation créée" in timeline
    assert "E-mail de rappel : destruction dans 30 jours" in timeline
    assert "Destruction de toutes les données (base de données, fichiers médias)" in timeline


def test_illegal_transition_is_explained_in_french(demo) -> None:
    tenant_suspend(tenant=demo, reason="unpaid", notify=False)
    with translation.override("fr"), pytest.raises(IllegalTransitionError) as error:
        tenant_suspend(tenant=demo, reason="unpaid", notify=False)
    assert error.value.message == ("Une organisation dans l'état « suspended » ne peut pas passer à l'état "
                                   "« suspended ».")
