"""Browser tests (real Chromium) of the operator console (issue 12 "Done when"): an operator signs in with
TOTP, reads the dashboard figures (checked against the database), finds an organisation by name,
suspends it after the confirmation page — its learners then see the information screen — and reinstates
it; an operator provisions an organisation from a quote, and cannot create one any other way."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils.formats import number_format

from console import selectors
from console.demo import demo_operator_totp_ensure
from invoicing import services
from invoicing.models import BillingPeriod
from mooc_platform.accounts.models import User
from mooc_platform.business_time import business_date
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.invoicing.helpers import unique_slug

from .conftest import DEMO_SECRET_HEX, totp_code


def _operator() -> User:
    """The demo operator (transactional tests empty the public tables: make it again if needed)."""
    operator = User.objects.filter(email="operator@demo.test").first() or User.objects.create_user(
        "operator@demo.test", DEMO_PASSWORD, role=User.Role.OPERATOR, is_staff=True)
    demo_operator_totp_ensure(operator=operator)
    return operator


def _sign_in(page, base: str, next_: str = "/console/") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}{next_}")
    page.get_by_label("E-mail").fill("operator@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/console/otp/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(totp_code(DEMO_SECRET_HEX))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{next_}")


def test_operator_signs_in_reads_the_dashboard_suspends_and_reinstates(live_server_port: int, page) -> None:
    _operator()
    base = f"http://localhost:{live_server_port}"
    _sign_in(page, base)

    by_state = selectors.tenants_count_by_state()
    for state, count in by_state.items():
        assert page.get_by_test_id(f"state-{state}").inner_text() == str(count)
    assert by_state["active"] == Tenant.objects.exclude(schema_name="public").filter(state="active").count()
    mrr = selectors.revenue_summary(today=business_date()).mrr
    assert page.get_by_test_id("mrr").inner_text() == f"{number_format(mrr, 2, force_grouping=True)}\u00a0€"
    assert page.locator("svg.chart rect.bar").count() == 12

    page.get_by_role("link", name="Organisations", exact=True).click()
    page.get_by_label("Search").fill("Demo Univ")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_test_id("organisation-row").count() == 1
    page.get_by_role("link", name="Demo University").click()
    assert page.get_by_test_id("organisation-state").inner_text() == "Active"

    page.get_by_role("link", name="Suspend").click()
    consequence = page.get_by_test_id("consequence").inner_text()
    users = selectors.tenant_users_count(tenant=Tenant.objects.get(slug="demo"))
    assert consequence.startswith(f"The {users} users of Demo University lose access now")
    assert Tenant.objects.get(slug="demo").state == "active"  # nothing before the confirmation
    page.get_by_label("Reason (sent to the customer, kept in the audit log)").fill("Breach of the terms")
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("organisation-state").inner_text() == "Suspended"
    assert Tenant.objects.get(slug="demo").state == "suspended"

    learner = page.context.browser.new_context().new_page()
    tenant_url = f"http://demo.localhost:{live_server_port}"
    learner.goto(tenant_url + "/login/")
    learner.get_by_label("E-mail").fill("learner1@demo.test")
    learner.get_by_label("Password").fill(DEMO_PASSWORD)
    learner.get_by_role("button", name="Log in").click()
    learner.wait_for_url(tenant_url + "/account-status/")
    assert learner.get_by_test_id("account-status-title").inner_text() == "Access suspended"

    page.get_by_role("link", name="Reinstate").click()
    assert "get their access back now" in page.get_by_test_id("consequence").inner_text()
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("organisation-state").inner_text() == "Active"
    learner.goto(tenant_url + "/")
    assert learner.get_by_test_id("account-status-title").count() == 0
    learner.context.close()


def test_operator_provisions_an_organisation_from_a_quote_and_no_other_way(live_server_port: int, page,
                                                                             settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    _operator()
    plan = services.plan_create(code=unique_slug("plan"), name="Essential Console", flat_amount=Decimal("100.00"),
                                billing_period=BillingPeriod.MONTHLY, per_seat_amount=Decimal("2.80"), seats=50)
    slug = unique_slug("con")
    base = f"http://localhost:{live_server_port}"
    try:
        _sign_in(page, base, "/console/quotes/new/")
        page.get_by_label("Plan").select_option(label=plan.name)
        page.get_by_label("Organisation name").fill("Lycée Pothier")
        page.get_by_label("Billing address").fill("2 bis rue Marcel Proust, 45000 Orléans")
        page.get_by_label("Country").fill("FR")
        page.get_by_label("SIREN").fill("123456789")  # not a valid SIREN: the form says so, keeps the input
        page.get_by_label("Contact name").fill("Paul Pothier")
        page.get_by_label("Contact e-mail").fill(f"paul@{slug}.example")
        page.get_by_label("Address (slug)").fill(slug)
        page.get_by_test_id("create-quote").click()
        assert "This SIREN is not valid." in page.get_by_test_id("error-siren").inner_text()
        assert page.get_by_label("Organisation name").input_value() == "Lycée Pothier"
        page.get_by_label("SIREN").fill("")
        page.get_by_test_id("create-quote").click()
        assert page.get_by_test_id("quote-status").inner_text() == "Draft"
        page.get_by_role("link", name="Send", exact=True).click()
        assert f"paul@{slug}.example" in page.get_by_test_id("consequence").inner_text()
        page.get_by_test_id("confirm").click()
        assert page.get_by_test_id("quote-status").inner_text() == "Sent"
        assert not Tenant.objects.filter(slug=slug).exists()

        signer = page.context.browser.new_context().new_page()
        signer.goto(base + page.get_by_test_id("signing-link").get_attribute("href"))
        signer.get_by_label("Full name").fill("Paul Pothier")
        signer.get_by_label("Title").fill("Proviseur")
        signer.get_by_label("E-mail").fill(f"paul@{slug}.example")
        signer.get_by_label("I have read the quote and the terms and conditions, and I accept them.").check()
        signer.get_by_role("button", name="Sign the quote").click()
        assert signer.get_by_test_id("signed-title").inner_text() == "Thank you: the quote is signed"
        signer.context.close()

        page.goto(f"{base}/console/organisations/?q={slug}")
        page.get_by_role("link", name="Lycée Pothier").click()
        assert page.get_by_test_id("organisation-state").inner_text() == "Active"
        assert Tenant.objects.get(slug=slug).name == "Lycée Pothier"

        response = page.goto(f"{base}/console/tenants/tenant/add/")
        assert response.status == 403
        count = Tenant.objects.count()
        page.goto(f"{base}/console/tenants/tenant/")
        assert page.get_by_role("link", name="Add tenant").count() == 0
        assert Tenant.objects.count() == count
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "t_{slug.replace("-", "_")}" CASCADE')
