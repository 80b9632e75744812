"""The administrators' people pages (issue 13): invited users shown as "invited" and not counted as active seats
(an invitation holds its seat until accepted or cancelled: README rule map R2), resend and cancel an invitation,
a confirmation page before deactivation, the CSV template, and the import's result in the past tense with the
rows not imported as a CSV error report; isolation and French on acme."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.apis.people import UserOutput
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tests.factories import UserFactory
from tests.helpers import host_of, unique

pytestmark = pytest.mark.django_db


def _signed_in(tenant, email: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


def test_an_invited_user_shows_as_invited_holds_a_seat_but_is_no_active_seat(demo, mailoutbox) -> None:
    client = _signed_in(demo)
    with schema_context(demo.schema_name):
        used, taken = services.seats_used(), services.seats_taken()
    Tenant.objects.filter(pk=demo.pk).update(seat_limit=taken + 1)
    email = f"{unique('inv')}@example.org"
    page = client.post("/manage/users/", {"action": "invite", "email": email, "role": "learner"},
                       follow=True).content.decode()
    with schema_context(demo.schema_name):
        invited = User.objects.get(email=email)
        assert (services.seats_used(), services.seats_reserved(), services.seats_taken()) == (
            used, taken - used + 1, taken + 1)
    assert f'data-testid="status-{invited.pk}">invited<' in page
    assert f"{used} of {taken + 1} seats used." in page and "pending invitation" in page
    assert f'data-testid="cancel-invitation-{invited.pk}"' in page
    assert f'data-testid="deactivate-{invited.pk}"' not in page
    with schema_context(demo.schema_name):  # the API says it too (`/api/v1/users/`)
        learner = User.objects.get(email="learner1@demo.test")
        assert (UserOutput(invited).data["status"], UserOutput(learner).data["status"]) == ("invited", "active")
    # The seat is held: a further invitation is refused with the rule said plainly.
    full = client.post("/manage/users/", {"action": "invite", "email": f"{unique('x')}@example.org",
                                          "role": "learner"}, follow=True).content.decode()
    assert "pending invitations included" in full and "cancel an invitation" in full
    resent = client.post("/manage/users/", {"action": "resend", "user": invited.pk}, follow=True)
    assert f"Invitation sent to {email}." in resent.content.decode()
    # Cancelling asks first: the list links to a confirmation page, whose danger button does it.
    assert (f'<a class="danger" href="/manage/users/{invited.pk}/cancel-invitation/" '
            f'data-testid="cancel-invitation-{invited.pk}">Cancel the invitation…</a>') in page
    confirm = client.get(f"/manage/users/{invited.pk}/cancel-invitation/").content.decode()
    assert (f"The invitation sent to {email} will stop working: its link no longer opens an account, and its "
            "seat is freed.") in confirm
    assert ('<button type="submit" class="danger" data-testid="cancel-invitation-confirm">Cancel the invitation'
            '</button>') in confirm
    with schema_context(demo.schema_name):
        assert User.objects.filter(email=email).exists()  # nothing happened yet
    cancelled = client.post(f"/manage/users/{invited.pk}/cancel-invitation/", follow=True).content.decode()
    assert f"The invitation of {email} is cancelled; its seat is free." in cancelled
    with schema_context(demo.schema_name):
        assert not User.objects.filter(email=email).exists()
        assert services.seats_taken() == taken
    event = AuditEvent.objects.get(tenant=demo, action="user.invitation_cancelled")
    assert (event.actor_email, event.after) == ("admin@demo.test", {"email": email})


def test_an_accepted_invitation_cannot_be_cancelled(demo) -> None:
    with schema_context(demo.schema_name):
        learner = User.objects.get(email="learner1@demo.test")
    client = _signed_in(demo)
    page = client.post(f"/manage/users/{learner.pk}/cancel-invitation/", follow=True).content.decode()
    assert "learner1@demo.test has already accepted the invitation: deactivate the account instead." in page
    asked = client.get(f"/manage/users/{learner.pk}/cancel-invitation/", follow=True).content.decode()
    assert "learner1@demo.test has already accepted the invitation: deactivate the account instead." in asked
    assert "cancel-invitation-confirm" not in asked
    with schema_context(demo.schema_name):
        assert User.objects.filter(pk=learner.pk, is_active=True).exists()


def test_deactivation_asks_for_a_confirmation_first(demo) -> None:
    with schema_context(demo.schema_name):
        target = UserFactory(email=f"{unique('d')}@example.org", full_name="Dee Activated")
    client = _signed_in(demo)
    listing = client.get("/manage/users/").content.decode()
    assert f'href="/manage/users/{target.pk}/deactivate/"' in listing
    confirm = client.get(f"/manage/users/{target.pk}/deactivate/").content.decode()
    assert f"{target.email} will be signed out on every device" in confirm
    with schema_context(demo.schema_name):
        assert User.objects.get(pk=target.pk).is_active is True  # the page changed nothing
    done = client.post(f"/manage/users/{target.pk}/deactivate/", follow=True).content.decode()
    assert f"{target.email} is deactivated and signed out everywhere." in done
    assert f'data-testid="status-{target.pk}">inactive<' in done
    with schema_context(demo.schema_name):
        me = User.objects.get(email="admin@demo.test")
    refused = client.post(f"/manage/users/{me.pk}/deactivate/")
    assert refused.status_code == 403 and "You cannot deactivate your own account." in refused.content.decode()


def test_deactivation_is_for_the_organisations_administrators_only(demo, acme) -> None:
    with schema_context(demo.schema_name):
        target = UserFactory(email=f"{unique('d')}@example.org")
    assert _signed_in(demo, "learner1@demo.test").post(f"/manage/users/{target.pk}/deactivate/").status_code == 403
    assert _signed_in(demo, "instructor@demo.test").get(f"/manage/users/{target.pk}/deactivate/").status_code == 403
    with schema_context(acme.schema_name):
        acme_ids = set(User.objects.values_list("pk", flat=True))
    if target.pk not in acme_ids:
        assert _signed_in(acme).post(f"/manage/users/{target.pk}/deactivate/").status_code == 404
    with schema_context(demo.schema_name):
        assert User.objects.get(pk=target.pk).is_active is True


def test_the_csv_template_and_the_error_report_of_an_applied_import(demo) -> None:
    Tenant.objects.filter(pk=demo.pk).update(seat_limit=10_000)
    client = _signed_in(demo)
    assert 'href="/manage/users/import/template.csv"' in client.get("/manage/users/import/").content.decode()
    template = client.get("/manage/users/import/template.csv")
    assert template["Content-Disposition"] == 'attachment; filename="users-template.csv"'
    rows = list(csv.reader(io.StringIO(template.content.decode())))
    assert rows[0] == ["email", "full_name", "role", "language"] and len(rows) == 4
    assert client.get("/manage/users/import/report.csv").status_code == 404  # nothing applied yet
    good = f"{unique('g')}@example.org"
    text = f"email,full_name,role\n{good},Gina,learner\nbroken,,learner\n{unique('r')}@example.org,Rob,king\n"
    preview = client.post("/manage/users/import/", {"action": "preview", "csv_text": text}).content.decode()
    assert "1 to create, 0 to update, 0 unchanged, 2 with errors." in preview and "to create" in preview
    applied = client.post("/manage/users/import/", {"action": "apply", "csv_text": text}).content.decode()
    assert "1 created and invited, 0 updated, 0 left unchanged, 2 not imported because of errors." in applied
    assert ">created<" in applied and ">not imported<" in applied and "to create" not in applied
    assert 'href="/manage/users/import/report.csv"' in applied
    report = client.get("/manage/users/import/report.csv")
    assert report["Content-Disposition"] == 'attachment; filename="users-import-errors.csv"'
    lines = list(csv.reader(io.StringIO(report.content.decode())))
    assert lines[0] == ["line", "email", "full_name", "role", "language", "error"]
    assert [(r[0], r[1]) for r in lines[1:]] == [("3", "broken"), ("4", text.splitlines()[3].split(",")[0])]
    assert all(r[5] for r in lines[1:])
    assert _signed_in(demo, "learner1@demo.test").get("/manage/users/import/template.csv").status_code == 403


def test_the_people_pages_speak_french_on_acme(acme) -> None:
    with schema_context(acme.schema_name):
        invited = User.objects.create_user(f"{unique('fr')}@example.org", None, full_name="Inès Invitée")
    client = _signed_in(acme)
    page = client.get("/manage/users/").content.decode()
    assert f'data-testid="status-{invited.pk}">invité<' in page and "Annuler l'invitation" in page
    assert "Désactiver…" in page and "invited" not in page and "Cancel the invitation" not in page
    assert '<option value="learner" selected>Apprenant</option>' in page  # the role options too
    with schema_context(acme.schema_name):
        learner = User.objects.get(email="learner1@acme.test")
    confirm = client.get(f"/manage/users/{learner.pk}/deactivate/").content.decode()
    assert "Désactiver le compte" in confirm and "Deactivate the account" not in confirm
    importing = client.get("/manage/users/import/").content.decode()
    assert "Télécharger le modèle CSV" in importing
    applied = client.post("/manage/users/import/", {"action": "apply", "csv_text": "email,role\nbroken,learner\n"})
    text = applied.content.decode()
    assert "0 créé(s) et invité(s), 0 mis à jour, 0 laissé(s) inchangé(s), 1 non importé(s) à cause d'erreurs." in text
    assert "non importé" in text and "Télécharger les lignes non importées" in text
