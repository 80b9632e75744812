"""Every console action goes through a service, after a confirmation page stating its consequence, and is
audited with the operator and the client address (issue 12 items 1 and 5, issue 9 items 8 and 12)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from console.models import ApprovalRequest
from invoicing import services as invoicing_services
from invoicing.models import Invoice, Quote, Subscription
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, CustomDomain, DestructionRecord, Domain, SupportAccessGrant, Tenant
from tenants.services import (
    custom_domain_request,
    support_grant_create,
    tenant_admin_invitation_resend,
    tenant_terminate,
)
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign

IP = "203.0.113.9"
LINK = re.compile(r"https?://\S+/invitation/\S+/")
GB = 1024**3


def _console(email: str = "operator@demo.test"):  # type: ignore[no-untyped-def]
    return console_client(email, REMOTE_ADDR=IP)


def _audited(action: str, tenant: Tenant | None = None, actor: str = "operator@demo.test") -> AuditEvent:
    events = AuditEvent.objects.filter(action=action, actor_email=actor, ip_address=IP)
    if tenant is not None:
        events = events.filter(tenant=tenant)
    assert events.count() == 1, list(AuditEvent.objects.filter(action=action).values("actor_email", "ip_address"))
    return events.get()


def test_suspend_states_its_consequence_needs_a_reason_and_is_audited(make_tenant) -> None:
    tenant = make_tenant()
    console = _console()
    page = console.get(f"/console/organisations/{tenant.pk}/suspend/").content.decode()
    assert f"The 2 users of {tenant.name} lose access now" in page
    refused = console.post(f"/console/organisations/{tenant.pk}/suspend/", {"reason": ""})
    assert refused.status_code == 400 and Tenant.objects.get(pk=tenant.pk).state == Tenant.State.ACTIVE
    done = console.post(f"/console/organisations/{tenant.pk}/suspend/", {"reason": "Breach of the terms"})
    assert done.status_code == 302 and done["Location"] == f"/console/organisations/{tenant.pk}/"
    tenant.refresh_from_db()
    assert (tenant.state, tenant.suspension_reason) == (Tenant.State.SUSPENDED, "Breach of the terms")
    assert _audited("tenant.suspended", tenant).after["state"] == "suspended"

    again = console.post(f"/console/organisations/{tenant.pk}/suspend/", {"reason": "twice"})
    assert again.status_code == 409 and "cannot become suspended" in again.content.decode()

    assert console.post(f"/console/organisations/{tenant.pk}/reinstate/", {}).status_code == 302
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.ACTIVE
    _audited("tenant.reinstated", tenant)


def test_termination_waits_for_a_second_operator(make_tenant, second_operator) -> None:
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        page = _console().get(f"/console/organisations/{tenant.pk}/terminate/").content.decode()
        assert f"The 2 users of {tenant.name} lose access now; data kept until 2026-08-29" in page
        assert "A second operator must approve" in page
        assert _console().post(f"/console/organisations/{tenant.pk}/terminate/",
                               {"reason": "Offence"}).status_code == 302
        approval = ApprovalRequest.objects.get(tenant=tenant)
        assert approval.status == ApprovalRequest.Status.PENDING
        assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.ACTIVE

        _console().post(f"/console/approvals/{approval.pk}/decide/", {"decision": "approve"})  # the requester
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalRequest.Status.PENDING
        assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.ACTIVE

        _console(second_operator.email).post(f"/console/approvals/{approval.pk}/decide/", {"decision": "approve"})
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by_email) == (ApprovalRequest.Status.EXECUTED, second_operator.email)
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.RETENTION and tenant.suspension_reason == "Offence"
    assert _audited("approval.requested", tenant).after == {"action": "terminate", "reason": "Offence"}
    _audited("approval.granted", tenant, actor=second_operator.email)
    _audited("tenant.terminated", tenant, actor=second_operator.email)


def test_an_approval_can_be_rejected_and_not_decided_twice(make_tenant, second_operator) -> None:
    tenant = make_tenant()
    _console().post(f"/console/organisations/{tenant.pk}/terminate/", {"reason": "Offence"})
    approval = ApprovalRequest.objects.get(tenant=tenant)
    _console(second_operator.email).post(f"/console/approvals/{approval.pk}/decide/", {"decision": "reject"})
    _console(second_operator.email).post(f"/console/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalRequest.Status.REJECTED
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.ACTIVE
    _audited("approval.rejected", tenant, actor=second_operator.email)


@override_settings(CONSOLE_FOUR_EYES_ACTIONS=[])
def test_without_four_eyes_termination_happens_at_once(make_tenant) -> None:
    tenant = make_tenant()
    _console().post(f"/console/organisations/{tenant.pk}/terminate/", {"reason": "Non-payment"})
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.RETENTION
    assert not ApprovalRequest.objects.filter(tenant=tenant).exists()
    _audited("tenant.terminated", tenant)


def test_purge_now_lists_what_is_destroyed_and_needs_a_second_operator(make_tenant, second_operator) -> None:
    tenant = make_tenant()
    tenant_terminate(tenant=tenant, reason="Offence", now=datetime(2025, 1, 6, 9, tzinfo=UTC))
    page = _console().get(f"/console/organisations/{tenant.pk}/purge/").content.decode()
    assert f"schema {tenant.schema_name}" in page and f"tenants/{tenant.schema_name}/" in page
    _console().post(f"/console/organisations/{tenant.pk}/purge/", {"reason": "Retention over"})
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.RETENTION
    approval = ApprovalRequest.objects.get(tenant=tenant, action="purge")
    _console(second_operator.email).post(f"/console/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.PURGED
    assert DestructionRecord.objects.get(tenant=tenant).completed_at is not None
    _audited("tenant.purged", tenant, actor=second_operator.email)


def test_a_purge_refused_by_the_service_is_shown_as_the_outcome(make_tenant, second_operator) -> None:
    tenant = make_tenant()
    tenant_terminate(tenant=tenant, reason="Offence")  # retention has just begun
    _console().post(f"/console/organisations/{tenant.pk}/purge/", {"reason": "too early"})
    approval = ApprovalRequest.objects.get(tenant=tenant, action="purge")
    response = _console(second_operator.email).post(f"/console/approvals/{approval.pk}/decide/",
                                                    {"decision": "approve"}, follow=True)
    approval.refresh_from_db()
    assert approval.status == ApprovalRequest.Status.FAILED and approval.outcome == "The retention period is not over."
    assert "The retention period is not over." in response.content.decode()
    assert Tenant.objects.get(pk=tenant.pk).state == Tenant.State.RETENTION


def test_the_operator_re_sends_an_expired_invitation_and_the_older_link_stops_working(
        make_tenant, mailoutbox, django_capture_on_commit_callbacks) -> None:
    """Issue 12 item 4: the console's re-send is the one invitation flow (`user_invitation_resend`)."""
    with django_capture_on_commit_callbacks(execute=True):
        tenant = make_tenant(passwords=False)  # the administrator is only invited
    first = urlsplit(LINK.search(mailoutbox[-1].body).group(0)).path
    host = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    assert host.get(first).status_code == 200  # the first link works until a new one is sent
    connection.set_schema_to_public()
    page = _console().get(f"/console/organisations/{tenant.pk}/resend-invitation/").content.decode()
    assert f"admin@{tenant.slug}.test receives a new link to choose a password, valid 14 days" in page
    with time_machine.travel(datetime.now(UTC) + timedelta(days=20)):  # the first link has expired
        with django_capture_on_commit_callbacks(execute=True):
            assert _console().post(f"/console/organisations/{tenant.pk}/resend-invitation/").status_code == 302
        assert mailoutbox[-1].to == [f"admin@{tenant.slug}.test"]
        second = urlsplit(LINK.search(mailoutbox[-1].body).group(0)).path
        assert second != first
    assert host.get(first).status_code == 404  # revoked, not merely expired
    assert host.get(second).status_code == 200
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        third_link = tenant_admin_invitation_resend(tenant=tenant, actor=None)
    assert host.get(second).status_code == 404 and host.get(urlsplit(third_link).path).status_code == 200
    connection.set_schema_to_public()
    event = _audited("user.invitation_resent", tenant)
    assert (event.target_type, event.after["email"]) == ("User", f"admin@{tenant.slug}.test")
    assert not AuditEvent.objects.filter(action="tenant.invitation_resent").exists()  # one event, one home


def test_no_invitation_once_the_administrator_has_a_password(make_tenant) -> None:
    tenant = make_tenant()  # passwords set
    response = _console().post(f"/console/organisations/{tenant.pk}/resend-invitation/")
    assert response.status_code == 409 and "has already chosen a password" in response.content.decode()


def test_rename_goes_through_the_service_and_is_audited(make_tenant) -> None:
    tenant = make_tenant()
    assert _console().post(f"/console/organisations/{tenant.pk}/rename/", {"name": "  "}).status_code == 400
    _console().post(f"/console/organisations/{tenant.pk}/rename/", {"name": "Collège d'Orléans & Co"})
    assert Tenant.objects.get(pk=tenant.pk).name == "Collège d'Orléans & Co"
    assert _audited("tenant.renamed", tenant).before == {"name": f"Org {tenant.slug}"}


def test_seats_and_quota_change_only_through_a_signed_amendment_quote(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    tenant = result.tenant
    clock(paris(2026, 2, 1, 10))
    response = _console().post(f"/console/organisations/{tenant.pk}/limits/",
                               {"seat_limit": "60", "storage_quota_gb": "20", "valid_until": ""})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.seat_limit, tenant.storage_quota_bytes) == (50, 10 * GB)  # nothing silent
    amendment = Quote.objects.get(amends=result.subscription)
    assert (amendment.seats, amendment.storage_quota_bytes, amendment.status) == (60, 20 * GB, Quote.Status.DRAFT)
    assert [(line.description, line.quantity, line.amount) for line in amendment.lines.all()] == [
        ("Essential — monthly subscription", Decimal("1.00"), Decimal("100.00")),
        ("Essential — seats (monthly)", Decimal("60.00"), Decimal("168.00"))]
    _audited("quote.amendment_created", tenant)

    _console().post(f"/console/quotes/{amendment.pk}/send/")
    amendment.refresh_from_db()
    assert amendment.status == Quote.Status.SENT
    signed = sign(amendment)
    assert signed.invoice is None and signed.tenant.pk == tenant.pk
    tenant.refresh_from_db()
    assert (tenant.seat_limit, tenant.storage_quota_bytes) == (60, 20 * GB)
    subscription = Subscription.objects.get(pk=result.subscription.pk)
    assert (subscription.seats, subscription.quote_id) == (60, amendment.pk)
    assert AuditEvent.objects.get(action="tenant.limits_changed", tenant=tenant).before == {
        "seat_limit": 50, "storage_quota_bytes": 10 * GB}
    assert Tenant.objects.filter(slug=tenant.slug).count() == 1

    clock(paris(2026, 2, 15, 9))
    invoice = invoicing_services.invoice_issue(subscription=subscription)
    assert invoice.total_excl_tax == Decimal("268.00")  # 100 + 60 × 2.80, the locked prices


def test_an_amendment_needs_a_running_subscription_and_a_change(make_tenant, quote_sent, clock) -> None:
    tenant = make_tenant()
    response = _console().post(f"/console/organisations/{tenant.pk}/limits/",
                               {"seat_limit": "60", "storage_quota_gb": "20"})
    assert response.status_code == 404 and "no active subscription" in response.content.decode()
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    same = _console().post(f"/console/organisations/{result.tenant.pk}/limits/",
                           {"seat_limit": "50", "storage_quota_gb": "10"})
    assert same.status_code == 400 and "Nothing changes" in same.content.decode()


def test_custom_domain_approval_and_removal(make_tenant) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="learn.tours.example")
    refused = _console().post(f"/console/organisations/{tenant.pk}/domains/{custom.pk}/approve/")
    assert refused.status_code == 409 and "Verify the domain" in refused.content.decode()
    CustomDomain.objects.filter(pk=custom.pk).update(verified_at=datetime(2026, 1, 1, tzinfo=UTC))
    _console().post(f"/console/organisations/{tenant.pk}/domains/{custom.pk}/approve/")
    assert Domain.objects.filter(domain="learn.tours.example", tenant=tenant).exists()
    _audited("custom_domain.approved", tenant)
    _console().post(f"/console/organisations/{tenant.pk}/domains/{custom.pk}/remove/")
    assert not Domain.objects.filter(domain="learn.tours.example").exists()
    assert not CustomDomain.objects.filter(pk=custom.pk).exists()
    _audited("custom_domain.removed", tenant)


def test_payment_and_credit_note_pages_call_the_services(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    invoice = result.invoice
    clock(paris(2026, 1, 25, 9))
    assert _console().post(f"/console/invoices/{invoice.pk}/payment/", {"amount": "-5"}).status_code == 400
    future = _console().post(f"/console/invoices/{invoice.pk}/payment/", {"amount": "1", "received_on": "2026-02-20"})
    assert future.status_code == 400 and "in the future" in future.content.decode()
    assert _console().post(f"/console/invoices/{invoice.pk}/payment/",
                           {"amount": "100.00", "received_on": "2026-01-20"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("100.00")
    _audited("invoice.payment_recorded", result.tenant)
    page = _console().get(f"/console/invoices/{invoice.pk}/credit-note/").content.decode()
    assert f"Invoice {invoice.number} (288.00 EUR incl. tax) is cancelled by a credit note" in page
    assert _console().post(f"/console/invoices/{invoice.pk}/credit-note/", {"reason": ""}).status_code == 400
    _console().post(f"/console/invoices/{invoice.pk}/credit-note/", {"reason": "Wrong seats"})
    assert Invoice.objects.get(credited_invoice=invoice).number == "A2026-000001"


def test_a_support_grant_cannot_be_deleted_nor_edited(demo) -> None:
    admin = type("Admin", (), {"email": "admin@demo.test"})()
    grant = support_grant_create(tenant=demo, scope="users", expires_at=datetime.now(UTC) + timedelta(days=3),
                                 actor=admin)
    console = _console()
    assert console.get(f"/console/tenants/supportaccessgrant/{grant.pk}/delete/").status_code == 403
    assert console.post(f"/console/tenants/supportaccessgrant/{grant.pk}/delete/", {"post": "yes"}).status_code == 403
    assert console.post("/console/tenants/supportaccessgrant/", {"action": "delete_selected",
                                                                 "_selected_action": [grant.pk],
                                                                 "post": "yes"}).status_code in (200, 302)
    assert console.post(f"/console/tenants/supportaccessgrant/{grant.pk}/change/",
                        {"scope": "all", "expires_at_0": "2099-01-01"}).status_code == 403
    grant.refresh_from_db()
    assert (grant.scope, grant.revoked_at) == ("users", None)
    assert SupportAccessGrant.objects.filter(pk=grant.pk).exists()


@pytest.mark.parametrize("url", ["/console/tenants/auditevent/{event}/delete/", "/console/tenants/tenant/add/",
                                 "/console/tenants/tenant/{tenant}/delete/", "/console/invoicing/quote/add/",
                                 "/console/invoicing/quotesignature/{signature}/delete/",
                                 "/console/tenants/destructionrecord/add/"])
def test_records_of_consent_and_evidence_and_tenants_cannot_be_made_or_deleted_in_the_admin(
        url, demo, quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    before = (Tenant.objects.count(), AuditEvent.objects.count())
    target = url.format(event=AuditEvent.objects.first().pk, tenant=demo.pk,
                        signature=result.subscription.quote.signature.pk)
    assert _console().get(target).status_code == 403
    assert _console().post(target, {"post": "yes", "slug": "ghost", "name": "Ghost"}).status_code == 403
    assert Tenant.objects.count() == before[0]
    assert AuditEvent.objects.count() >= before[1]


def test_console_pages_never_write_a_user_directly(demo) -> None:
    with schema_context(demo.schema_name):
        before = User.objects.count()
    _console().post(f"/console/organisations/{demo.pk}/resend-invitation/")
    with schema_context(demo.schema_name):
        assert User.objects.count() == before


@override_settings(CONSOLE_FOUR_EYES_ACTIONS=[])
def test_termination_from_the_console_closes_the_subscription(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    clock(paris(2026, 1, 20, 9))
    _console().post(f"/console/organisations/{result.tenant.pk}/terminate/", {"reason": "Offence"})
    assert Tenant.objects.get(pk=result.tenant.pk).state == Tenant.State.RETENTION
    assert Subscription.objects.get(pk=result.subscription.pk).status == Subscription.Status.CANCELLED
    _audited("subscription.terminated", result.tenant)


@override_settings(CONSOLE_FOUR_EYES_ACTIONS=[])
def test_after_a_termination_the_dashboard_proposes_credit_notes_and_the_operator_can_lift_it(
        quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    later = invoicing_services.invoice_issue(subscription=result.subscription)  # next period, in advance
    clock(paris(2026, 1, 20, 9))
    _console().post(f"/console/organisations/{result.tenant.pk}/terminate/", {"reason": "Offence"})
    dashboard = _console().get("/console/").content.decode()
    assert f"/console/invoices/{later.pk}/credit-note/" in dashboard
    assert f"/console/invoices/{result.invoice.pk}/credit-note/" not in dashboard  # its period had begun
    page = _console().get(f"/console/organisations/{result.tenant.pk}/lift-termination/").content.decode()
    assert "may subscribe again from its billing page" in page
    assert _console().post(f"/console/organisations/{result.tenant.pk}/lift-termination/",
                           {"reason": ""}).status_code == 400
    _console().post(f"/console/organisations/{result.tenant.pk}/lift-termination/", {"reason": "Settled in court"})
    assert Tenant.objects.get(pk=result.tenant.pk).terminated_at is None
    assert _audited("tenant.termination_lifted", result.tenant).after["reason"] == "Settled in court"
