"""Claims through their services (SPEC R25, GCS art. 13): timestamped on receipt by the platform's clock, late
after 48 hours, about the tenant's own invoice or a window that concerned it, acknowledged by e-mail in the
filer's language; answered by operators (thread, status, e-mail), every step audited."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine
from django.core import mail
from django_tenants.utils import schema_context

from claims import services
from claims.errors import Code
from claims.models import Claim, ClaimMessage
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, ForbiddenError
from tenants.models import AuditEvent
from tests.invoicing.helpers import paris, sign

from .helpers import administrator_of, past_window

pytestmark = pytest.mark.django_db(transaction=False)
# Monday after the DST change (Sunday 28 March 2027), in UTC: arithmetic on Paris datetimes is wall-clock arithmetic.
NOW = paris(2027, 3, 29, 10, 0).astimezone(UTC)


def _file(tenant, admin, **extra):  # type: ignore[no-untyped-def]
    values = {"category": Claim.Category.OTHER, "event_at": NOW - timedelta(hours=3), "subject": "Videos stall",
              "body": "Every video stalls after ten seconds."}
    return services.claim_file(tenant=tenant, actor=admin, **{**values, **extra})


def test_a_claim_is_timestamped_on_receipt_and_late_only_past_48_hours(demo) -> None:
    admin = administrator_of(demo)
    with time_machine.travel(NOW, tick=False):
        on_time = _file(demo, admin, event_at=NOW - timedelta(hours=48))
        late = _file(demo, admin, event_at=NOW - timedelta(hours=48, seconds=1))
    assert on_time.received_at == NOW and on_time.late is False
    assert late.received_at == NOW and late.late is True
    assert on_time.status == Claim.Status.OPEN and on_time.filed_by_email == "admin@demo.test"
    # Across the DST change: 48 real hours. Saturday 09:30 to Monday 10:00 reads 48 h 30 on the wall clock, but
    # an hour was lost on Sunday night: 47 h 30 went by, the claim is on time.
    with time_machine.travel(NOW, tick=False):
        assert _file(demo, admin, event_at=paris(2027, 3, 27, 9, 30)).late is False
    event = AuditEvent.objects.filter(action="claim.filed", target_id=str(late.pk)).get()
    assert event.tenant_id == demo.pk and event.after["late"] is True and event.actor_email == "admin@demo.test"


def test_the_acknowledgement_goes_to_the_filer_in_text_and_html_in_their_language(
        acme, django_capture_on_commit_callbacks) -> None:
    admin = administrator_of(acme)
    admin.language = "fr"  # the filer's own language, whatever the tenant's
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        claim = _file(acme, admin, event_at=NOW - timedelta(hours=60))
    [message] = [m for m in mail.outbox if claim.reference in m.subject]
    assert message.to == ["admin@acme.test"]
    assert message.subject == f"Nous avons bien reçu votre réclamation {claim.reference} — ACME Corporate Academy"
    assert "reçue le 29 mars 2027 10:00:00 (heure de Paris)" in message.body
    assert "plus de 48 heures après l'événement" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"/claims/{claim.pk}/" in html


def test_the_event_cannot_be_in_the_future_and_only_administrators_file(demo) -> None:
    admin = administrator_of(demo)
    learner = administrator_of(demo, "learner1@demo.test")
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ApplicationError) as refused:
            _file(demo, admin, event_at=NOW + timedelta(minutes=5))
        assert refused.value.code == Code.CLAIM_EVENT_IN_FUTURE
        with pytest.raises(ForbiddenError):
            _file(demo, learner)
        with pytest.raises(ApplicationError) as empty:
            _file(demo, admin, subject="  ")
        assert empty.value.details == {"subject": ["Give the claim a subject."]}
    assert not Claim.objects.filter(tenant=demo, event_at=NOW + timedelta(minutes=5)).exists()


def test_a_maintenance_claim_names_a_started_window_that_concerned_the_tenant(demo, acme) -> None:
    admin = administrator_of(demo)
    with time_machine.travel(NOW, tick=False):
        ours = past_window(tenants=[demo], now=NOW)
        theirs = past_window(tenants=[acme], now=NOW)
        claim = _file(demo, admin, category=Claim.Category.MAINTENANCE, maintenance_window_id=ours.pk,
                      event_at=ours.start)
        # Saturday 12:00 CET to Monday 10:00 CEST: 45 real hours across the DST change, on time.
        assert claim.maintenance_window == ours and claim.late is False
        for window_id in (theirs.pk, None, 999_999):
            with pytest.raises(ApplicationError) as refused:
                _file(demo, admin, category=Claim.Category.MAINTENANCE, maintenance_window_id=window_id)
            assert refused.value.code == Code.CLAIM_WINDOW_UNKNOWN


def test_an_invoice_claim_names_one_of_the_tenants_own_invoices(demo, quote_sent) -> None:
    result = sign(quote_sent())
    tenant = result.subscription.tenant
    invoice = result.subscription.invoices.order_by("sequence").first()
    with schema_context(tenant.schema_name):
        admin = User.objects.filter(role=User.Role.ADMINISTRATOR).get()
    claim = services.claim_file(tenant=tenant, actor=admin, category=Claim.Category.INVOICE, invoice_id=invoice.pk,
                                event_at=invoice.created_at, subject="Wrong seats", body="We have 40 seats, not 50.")
    assert claim.invoice == invoice and claim.late is False
    with pytest.raises(ApplicationError) as refused:
        services.claim_file(tenant=demo, actor=administrator_of(demo), category=Claim.Category.INVOICE,
                            invoice_id=invoice.pk, event_at=invoice.created_at, subject="Not ours", body="…")
    assert refused.value.code == Code.CLAIM_INVOICE_UNKNOWN


def test_an_operator_answers_the_filer_is_emailed_and_every_step_is_audited(
        demo, django_capture_on_commit_callbacks) -> None:
    operator = User.objects.get(email="operator@demo.test")
    admin = administrator_of(demo)
    with time_machine.travel(NOW, tick=False):
        claim = _file(demo, admin)
    mail.outbox.clear()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = services.claim_reply(claim=claim, actor=operator, body="Fixed: the CDN cache was purged.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ANSWERED
    assert list(claim.messages.values_list("author", "body")) == [("operator", "Fixed: the CDN cache was purged.")]
    assert reply.created_at == NOW + timedelta(hours=2)
    [message] = mail.outbox
    assert message.to == ["admin@demo.test"]
    assert message.subject == f"Answer to your claim {claim.reference} — Demo University"
    assert "Fixed: the CDN cache was purged." in message.body and "Status: Answered" in message.body
    # The administrator follows up: the claim is open again; the operator closes it; it takes no more messages.
    services.claim_follow_up(claim=claim, actor=admin, body="Still stalling on Firefox.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN
    services.claim_status_set(claim=claim, actor=operator, status=Claim.Status.CLOSED)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLOSED and claim.closed_at is not None
    with pytest.raises(ApplicationError) as closed:
        services.claim_follow_up(claim=claim, actor=admin, body="One more thing")
    assert closed.value.code == Code.CLAIM_CLOSED
    actions = list(AuditEvent.objects.filter(target_type="Claim", target_id=str(claim.pk))
                   .order_by("id").values_list("action", "actor_email"))
    assert actions == [("claim.filed", "admin@demo.test"), ("claim.replied", "operator@demo.test"),
                       ("claim.followed_up", "admin@demo.test"), ("claim.status_changed", "operator@demo.test")]
    with pytest.raises(ForbiddenError):
        services.claim_reply(claim=claim, actor=admin, body="I answer myself")
    with pytest.raises(ApplicationError) as unknown:
        services.claim_status_set(claim=claim, actor=operator, status="lost")
    assert unknown.value.code == Code.CLAIM_STATUS_INVALID


def test_anonymising_a_tenant_keeps_the_facts_not_the_people(demo) -> None:
    admin = administrator_of(demo)
    with time_machine.travel(NOW, tick=False):
        claim = _file(demo, admin)
    services.claim_follow_up(claim=claim, actor=admin, body="More facts")
    assert services.claims_anonymise_tenant(tenant=demo) >= 1
    claim.refresh_from_db()
    assert (claim.filed_by_email, claim.filed_by_name, claim.filed_by_user_id) == ("", "", None)
    assert claim.subject == "Videos stall" and claim.received_at == NOW
    assert list(ClaimMessage.objects.filter(claim=claim).values_list("author_email", "body")) == [("", "More facts")]
    assert services.claims_anonymise_tenant(tenant=demo) == 0  # a resumed purge changes nothing more
