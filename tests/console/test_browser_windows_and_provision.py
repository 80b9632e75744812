"""Browser tests (real Chromium) of the console pages added for issue 12 items 1 and 3: an operator schedules a
maintenance window (every broken rule listed first), moves it after a confirmation naming the organisations
told, cancels it; and provisions an organisation with the provision form (a taken address is refused on its
field, the input kept), whose first administrator is then invited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from invoicing.models import BillingPeriod
from invoicing.services import plan_create
from maintenance.models import MaintenanceWindow
from mooc_platform.business_time import business_date, business_midnight, platform_tz
from tenants.models import AuditEvent, Tenant
from tests.invoicing.helpers import unique_slug

from .test_browser_console import _operator, _sign_in


def _saturday_noon(days_ahead: int):  # type: ignore[no-untyped-def]
    day = business_date(timezone.now() + timedelta(days=days_ahead))
    day += timedelta(days=(5 - day.weekday()) % 7)
    return timezone.localtime(business_midnight(day) + timedelta(hours=12), platform_tz())


def test_operator_schedules_moves_and_cancels_a_window(live_server_port: int, page) -> None:
    _operator()
    base = f"http://localhost:{live_server_port}"
    _sign_in(page, base, "/console/maintenance-windows/")
    page.get_by_test_id("new-window").click()
    first = _saturday_noon(10)
    friday = first - timedelta(days=1)
    page.get_by_label("Start (Paris time)").fill(friday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End (Paris time)").fill((friday + timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reason (internal, never shown to customers)").fill("PostgreSQL upgrade")
    page.get_by_label("Public message in French").fill("Mise à jour de la base de données.")
    page.get_by_label("Public message in English").fill("Database upgrade.")
    page.get_by_test_id("confirm").click()
    errors = page.get_by_test_id("form-error").inner_text()
    assert "[maintenance_not_saturday_noon]" in errors and "[maintenance_too_long]" in errors
    assert page.get_by_label("Public message in French").input_value() == "Mise à jour de la base de données."
    assert not MaintenanceWindow.objects.exists()

    page.get_by_label("Start (Paris time)").fill(first.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End (Paris time)").fill((first + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("window-status").inner_text() == "Scheduled"
    window = MaintenanceWindow.objects.get()
    assert window.start == first

    page.get_by_role("link", name="Move", exact=True).click()
    later = _saturday_noon(17)
    page.get_by_label("Start (Paris time)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End (Paris time)").fill((later + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("next").click()
    consequence = page.get_by_test_id("consequence").inner_text()
    organisations = Tenant.objects.exclude(schema_name="public").exclude(state__in=["retention", "purged"]).count()
    assert f"The administrators of {organisations} organisations" in consequence
    assert "receive a new announcement now" in consequence
    assert MaintenanceWindow.objects.get().start == first  # nothing before the confirmation
    page.get_by_test_id("confirm").click()
    assert MaintenanceWindow.objects.get().start == later
    assert MaintenanceWindow.objects.get().revision == 2

    page.get_by_role("link", name="Cancel the window").click()
    assert "is cancelled for good" in page.get_by_test_id("consequence").inner_text()
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("window-status").inner_text() == "Cancelled"
    assert page.get_by_test_id("window-actions").count() == 0
    assert set(AuditEvent.objects.filter(actor_email="operator@demo.test", action__startswith="maintenance_window.")
               .values_list("action", flat=True)) == {"maintenance_window.scheduled", "maintenance_window.moved",
                                                       "maintenance_window.cancelled"}


def test_operator_provisions_an_organisation_with_the_provision_form(live_server_port: int, page) -> None:
    _operator()
    plan = plan_create(code=unique_slug("plan"), name="Pilot plan", flat_amount=Decimal("0"),
                       billing_period=BillingPeriod.MONTHLY, per_seat_amount=Decimal("0"), seats=30)
    slug = unique_slug("pilot")
    base = f"http://localhost:{live_server_port}"
    try:
        _sign_in(page, base, "/console/organisations/")
        page.get_by_test_id("provision").click()
        page.get_by_label("Organisation name").fill("Lycée Pilote")
        page.get_by_label("Address (slug)").fill("demo")  # taken
        page.get_by_label("Plan (its seats, storage quota and custom domains)").select_option(label=plan.name)
        page.get_by_label("First administrator's e-mail").fill(f"admin@{slug}.example")
        page.get_by_test_id("confirm").click()
        assert "'demo' is already taken." in page.get_by_test_id("error-slug").inner_text()
        assert page.get_by_label("Organisation name").input_value() == "Lycée Pilote"
        page.get_by_label("Address (slug)").fill(slug)
        page.get_by_test_id("confirm").click()
        assert page.get_by_test_id("organisation-name").inner_text().startswith("Lycée Pilote")
        assert page.get_by_test_id("organisation-state").inner_text() == "Active"
        tenant = Tenant.objects.get(slug=slug)
        assert tenant.seat_limit == 30
        assert AuditEvent.objects.get(action="tenant.provisioned", tenant=tenant).actor_email == "operator@demo.test"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "t_{slug.replace("-", "_")}" CASCADE')
