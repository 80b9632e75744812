"""Console buttons that replaced the stock admin actions (issue 12 items 1–2): quote send / revise / withdraw /
pro forma and subscription cancel, each through its service, the destructive ones after a confirmation page
stating the consequence; and the "provision" form (`tenant_provision`: slug, plan, first administrator), the
only way besides a signed quote to a new organisation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from invoicing.models import Invoice, Quote, Subscription
from mooc_platform.accounts.models import User
from mooc_platform.business_time import platform_tz
from mooc_platform.formatting import localized
from tenants.models import AuditEvent, Tenant
from tests.factories import PlanFactory
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign, unique_slug

GB = 1024**3


def test_withdrawing_a_quote_asks_first_and_states_the_link_stops_working(quote_sent) -> None:
    quote = quote_sent()
    console = console_client()
    detail = console.get(f"/console/quotes/{quote.pk}/").content.decode()
    assert 'href="withdraw/"' in detail and "admin/" not in detail.split('data-testid="quote-status"')[1][:400]
    page = console.get(f"/console/quotes/{quote.pk}/withdraw/")
    assert (f"The signing link of {quote.contact_email} stops working for good: this quote can never be signed"
            in page.content.decode())
    assert 'class="consequence"' in page.content.decode()  # shown as a destructive action
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT  # nothing before the confirmation
    done = console.post(f"/console/quotes/{quote.pk}/withdraw/", follow=True)
    assert "Quote withdrawn: its link no longer works." in done.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.WITHDRAWN
    again = console.post(f"/console/quotes/{quote.pk}/withdraw/")
    assert again.status_code == 409 and "A withdrawn quote cannot be withdrawn." in again.content.decode()


def test_a_pro_forma_is_issued_from_the_quote_page_and_downloaded(quote_sent, clock) -> None:
    clock(paris(2026, 1, 15, 9))
    quote = quote_sent()
    console = console_client()
    assert "no number, no accounting effect" in console.get(f"/console/quotes/{quote.pk}/pro-forma/").content.decode()
    done = console.post(f"/console/quotes/{quote.pk}/pro-forma/", follow=True)
    pro_forma = Invoice.objects.get(kind=Invoice.Kind.PRO_FORMA, buyer__email=quote.contact_email)
    assert (pro_forma.number, pro_forma.total_excl_tax) == (None, Decimal("240.00"))
    html = done.content.decode()
    assert "Pro forma invoice issued" in html and f'href="/console/invoices/{pro_forma.pk}/pdf/"' in html
    pdf = console.get(f"/console/invoices/{pro_forma.pk}/pdf/")
    assert pdf.status_code == 302 and f"invoices/pro-forma-{pro_forma.pk}.pdf" in pdf["Location"]
    assert Invoice.objects.get(pk=pro_forma.pk).pdf_key == f"invoices/pro-forma-{pro_forma.pk}.pdf"


def test_revise_and_send_are_console_buttons_and_the_admin_keeps_no_bulk_action(quote_sent) -> None:
    quote = quote_sent()
    console = console_client()
    revised = console.post(f"/console/quotes/{quote.pk}/revise/")
    draft = Quote.objects.get(supersedes=quote)
    assert revised["Location"] == f"/console/quotes/{draft.pk}/"
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SUPERSEDED
    changelist = console.get("/console/invoicing/quote/").content.decode()
    assert 'name="action"' not in changelist
    console.post("/console/invoicing/quote/", {"action": "withdraw", "_selected_action": [draft.pk]})
    assert Quote.objects.get(pk=draft.pk).status == Quote.Status.DRAFT
    subscriptions = console.get("/console/invoicing/subscription/").content.decode()
    assert 'value="cancel"' not in subscriptions


def test_cancelling_a_subscription_states_the_end_of_access_and_of_retention(quote_sent, clock,
                                                                              django_capture_on_commit_callbacks
                                                                              ) -> None:
    from invoicing.services import payment_record

    clock(paris(2026, 1, 15, 9))
    result = sign(quote_sent())
    payment_record(invoice=result.invoice, amount=result.invoice.total_incl_tax)  # the first month is paid
    clock(paris(2026, 1, 20, 9))
    tenant = result.tenant
    console = console_client()
    assert 'href="cancel-subscription/"' in console.get(f"/console/organisations/{tenant.pk}/").content.decode()
    page = console.get(f"/console/organisations/{tenant.pk}/cancel-subscription/").content.decode()
    assert Subscription.objects.get(pk=result.subscription.pk).status == Subscription.Status.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(f"/console/organisations/{tenant.pk}/cancel-subscription/")
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.state == Tenant.State.CANCELLED
    access = timezone.localtime(tenant.access_ends_at, platform_tz())
    assert access.strftime("%Y-%m-%d %H:%M") == "2026-02-15 00:00"  # the end of the month paid
    retention = localized(tenant.retention_ends_at, "date", language="en")
    assert (f"{tenant.name}&#x27;s subscription ends now: no refund, no further invoice. Its 1 user keeps "
            f"access until Feb. 15, 2026, midnight (the end of the period already paid; a later payment extends it), "
            f"then its data is kept until {retention} and destroyed.") in page
    assert AuditEvent.objects.get(action="subscription.cancelled", tenant=tenant).actor_email == "operator@demo.test"
    again = console.post(f"/console/organisations/{tenant.pk}/cancel-subscription/")
    assert again.status_code == 409 and "already cancelled" in again.content.decode()


def test_no_subscription_no_cancel_button(make_tenant) -> None:
    tenant = make_tenant()
    console = console_client()
    assert "cancel-subscription/" not in console.get(f"/console/organisations/{tenant.pk}/").content.decode()
    refused = console.post(f"/console/organisations/{tenant.pk}/cancel-subscription/")
    assert refused.status_code == 404 and "has no subscription" in refused.content.decode()


# --- Provision ------------------------------------------------------------------------------------------


def _provision_form(plan_, slug_: str, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"name": "Lycée Pothier", "slug": slug_, "plan": str(plan_.pk), "admin_email": f"proviseur@{slug_}.example",
            "admin_full_name": "Paul Pothier", "language": "fr", **changes}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"slug": "demo"}, "slug", "'demo' is already taken."),
    ({"slug": "console"}, "slug", "'console' is reserved by the platform."),
    ({"slug": "Bad Slug!"}, "slug", "The address must be 1 to 40 characters"),
    ({"admin_email": "not-an-email"}, "admin_email", "Enter a valid email address."),
    ({"plan": "999999"}, "plan", "Select a valid choice."),
    ({"name": "   "}, "name", "This field is required."),
    ({"language": "de"}, "language", "Select a valid choice."),
])
def test_bad_provision_input_is_shown_on_its_field_and_kept(demo, changes, field, message) -> None:
    plan = PlanFactory(code=unique_slug("plan"))
    slug = unique_slug("pothier")
    response = console_client().post("/console/organisations/new/", _provision_form(plan, slug, **changes))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert "Lycée Pothier" in response.content.decode() or field == "name"
    assert not Tenant.objects.filter(name="Lycée Pothier").exists()


def test_an_operator_provisions_an_organisation_with_the_plans_limits(demo, mailoutbox,
                                                                      django_capture_on_commit_callbacks) -> None:
    plan = PlanFactory(code=unique_slug("plan"), seats=120, storage_quota_bytes=25 * GB)
    slug = unique_slug("pothier")
    console = console_client(REMOTE_ADDR="203.0.113.50")
    page = console.get("/console/organisations/new/").content.decode()
    assert "No subscription and no invoice are made" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post("/console/organisations/new/", _provision_form(plan, slug))
    tenant = Tenant.objects.get(slug=slug)
    assert response["Location"] == f"/console/organisations/{tenant.pk}/"
    assert (tenant.name, tenant.state, tenant.seat_limit, tenant.storage_quota_bytes, tenant.language) == (
        "Lycée Pothier", Tenant.State.ACTIVE, 120, 25 * GB, "fr")
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=f"proviseur@{slug}.example")
        assert (admin.role, admin.full_name, admin.has_usable_password()) == ("administrator", "Paul Pothier", False)
    assert mailoutbox[-1].to == [f"proviseur@{slug}.example"] and "/invitation/" in mailoutbox[-1].body
    event = AuditEvent.objects.get(action="tenant.provisioned", tenant=tenant)
    assert (event.actor_email, event.ip_address) == ("operator@demo.test", "203.0.113.50")
    assert not Subscription.objects.filter(tenant=tenant).exists() and not Invoice.objects.filter(tenant=tenant)
    detail = console.get(response["Location"]).content.decode()
    assert "Lycée Pothier is ready at its address" in detail


def test_no_other_console_page_creates_an_organisation(demo) -> None:
    console = console_client()
    count = Tenant.objects.count()
    assert console.get("/console/tenants/tenant/add/").status_code == 403
    assert console.post("/console/tenants/tenant/add/", {"slug": "ghost", "name": "Ghost"}).status_code == 403
    changelist = console.get("/console/tenants/tenant/").content.decode()
    assert "/console/tenants/tenant/add/" not in changelist and "Add tenant" not in changelist
    assert "/console/tenants/domain/add/" not in console.get("/console/tenants/domain/").content.decode()
    organisations = console.get("/console/organisations/").content.decode()
    assert 'href="/console/quotes/new/"' in organisations and 'href="/console/organisations/new/"' in organisations
    assert Tenant.objects.count() == count
