"""The administrators' support-access page (issue 13, SPEC R19, GCS art. 5): grant for N days with a scope, the
list with every operator read under each grant, revocation after a confirmation; hostile input re-displays the
form with its errors; another organisation's grant is not found; non-administrators are refused; in French on acme."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants import services
from tenants.models import AuditEvent, SupportAccessGrant
from tests.helpers import host_of

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)


def _signed_in(tenant, email: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


def _operator() -> User:
    with schema_context("public"):
        return User.objects.get(email="operator@demo.test")


def test_an_administrator_grants_7_days_sees_each_read_and_revokes_after_a_confirmation(demo) -> None:
    with time_machine.travel(NOW, tick=False):
        client = _signed_in(demo)
        empty = client.get("/manage/support-access/").content.decode()
        assert 'data-testid="no-grants"' in empty and 'value="7"' in empty
        response = client.post("/manage/support-access/", {"scope": "users", "days": "7",
                                                           "reason": "Login problem of a learner"}, follow=True)
        grant = SupportAccessGrant.objects.get(tenant=demo)
        assert (grant.scope, grant.expires_at, grant.granted_by_email) == (
            "users", NOW + timedelta(days=7), "admin@demo.test")
        page = response.content.decode()
        assert "Support may see Users (names, e-mails, roles) until" in page
        assert "In force" in page and "Login problem of a learner" in page and "No read so far." in page
        services.support_content_read(tenant=demo, resource="users", operator=_operator(), ip_address="203.0.113.9")
        listed = client.get("/manage/support-access/").content.decode()
        reads = listed[listed.index(f'data-testid="grant-reads-{grant.pk}"'):]
        assert "operator@demo.test" in reads and "203.0.113.9" in reads and "users (" in reads
        confirm = client.get(f"/manage/support-access/{grant.pk}/revoke/").content.decode()
        assert "The platform's support will no longer see this content" in confirm
        assert SupportAccessGrant.objects.get(pk=grant.pk).revoked_at is None  # the GET changed nothing
        done = client.post(f"/manage/support-access/{grant.pk}/revoke/", follow=True).content.decode()
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoked_by_email) == (NOW, "admin@demo.test")
    assert "Support access revoked" in done and "Revoked" in done and "operator@demo.test" in done
    assert list(AuditEvent.objects.filter(tenant=demo, action__startswith="support.").values_list(
        "action", flat=True)) == ["support.revoked", "support.accessed", "support.granted"]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"scope": "users", "days": "31"}, "days", "Ensure this value is less than or equal to 30."),
    ({"scope": "users", "days": "0"}, "days", "Ensure this value is greater than or equal to 1."),
    ({"scope": "users", "days": "seven"}, "days", "Enter a whole number."),
    ({"scope": "users", "days": "99999999999999999999"}, "days", "Ensure this value is less than or equal to 30."),
    ({"scope": "everything", "days": "7"}, "scope", "Select a valid choice."),
    ({"scope": "users", "days": "7", "reason": "x" * 501}, "reason", "at most 500 characters"),
])
def test_hostile_input_redisplays_the_form_with_the_error_on_its_field(demo, data, field, message) -> None:
    response = _signed_in(demo).post("/manage/support-access/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-testid="error-{field}"' in page and message in page
    assert not SupportAccessGrant.objects.filter(tenant=demo).exists()


def test_another_organisations_grant_is_not_found_and_not_listed(demo, acme) -> None:
    grant = services.support_grant_create(tenant=demo, scope="all", expires_at=NOW + timedelta(days=3),
                                          actor=User(email="admin@demo.test"), now=NOW)
    acme_admin = _signed_in(acme)
    assert acme_admin.get(f"/manage/support-access/{grant.pk}/revoke/").status_code == 404
    assert acme_admin.post(f"/manage/support-access/{grant.pk}/revoke/").status_code == 404
    assert f'data-testid="grant-{grant.pk}"' not in acme_admin.get("/manage/support-access/").content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is None


@pytest.mark.parametrize("email", ["learner1@demo.test", "instructor@demo.test"])
def test_non_administrators_are_refused(demo, email) -> None:
    client = _signed_in(demo, email)
    assert client.get("/manage/support-access/").status_code == 403
    assert client.post("/manage/support-access/", {"scope": "all", "days": "30"}).status_code == 403
    assert not SupportAccessGrant.objects.filter(tenant=demo).exists()
    anonymous = Client(HTTP_HOST=host_of(demo)).get("/manage/support-access/")
    assert (anonymous.status_code, anonymous["Location"].split("?")[0]) == (302, "/login/")


def test_the_page_speaks_french_on_acme(acme) -> None:
    with time_machine.travel(NOW, tick=False):
        client = _signed_in(acme)
        page = client.get("/manage/support-access/").content.decode()
        assert "Accès de l'assistance" in page and "Accorder l'accès" in page
        assert "Support access" not in page and "Grant access" not in page
        refused = client.post("/manage/support-access/", {"scope": "users", "days": "45"}).content.decode()
        assert "Assurez-vous que cette valeur est inférieure ou égale à 30." in refused
        done = client.post("/manage/support-access/", {"scope": "courses", "days": "7"}, follow=True)
    assert "En vigueur" in done.content.decode() and "Aucune consultation pour l'instant." in done.content.decode()
