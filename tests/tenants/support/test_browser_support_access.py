"""Browser test (real Chromium, issue 13 "Done when"): an administrator grants support access for 7 days, the
operator reads the users under it (the platform API, as tests/tenants/support/test_support_access.py), the
administrator sees the read in the list and revokes the grant after the confirmation page. Then the
administrators' new pages in French on acme at 1366 and 375 px: no horizontal overflow."""

from __future__ import annotations

from pathlib import Path

from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD, demo_user_ensure
from tenants.models import SupportAccessGrant, Tenant
from tests.helpers import api_client, api_token

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".var" / "screenshots"


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Signed out, the sign-in page speaks the organisation's language (acme French, demo English)."""
    french = base.startswith("http://acme.")
    page.goto(base + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe" if french else "Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter" if french else "Log in").click()
    page.wait_for_url(base + "/")


def test_grant_7_days_operator_reads_users_admin_sees_the_read_and_revokes(live_server_port: int, page) -> None:
    base = f"http://demo.localhost:{live_server_port}"
    demo = Tenant.objects.get(slug="demo")
    _log_in(page, base, "admin@demo.test")
    page.get_by_test_id("nav-support-access").click()
    page.get_by_label("What support may see").select_option("users")
    page.get_by_label("For how many days").fill("7")
    page.get_by_label("Reason (optional)").fill("A learner cannot sign in")
    page.get_by_test_id("support-grant-submit").click()
    grant = SupportAccessGrant.objects.get(tenant=demo, revoked_at__isnull=True)
    card = page.get_by_test_id(f"grant-{grant.pk}")
    assert card.get_by_test_id("grant-state").inner_text() == "In force"
    assert "No read so far." in card.inner_text()

    with schema_context("public"):  # transactional tests empty the public tables: the operator again if needed
        demo_user_ensure(email="operator@demo.test", role=User.Role.OPERATOR, full_name="Olivia Operator",
                         is_staff=True, is_superuser=True)
    operator = api_client("localhost", api_token("localhost", "operator@demo.test"))
    read = operator.get(f"/api/v1/tenants/{demo.pk}/support/users/")
    assert read.status_code == 200 and "admin@demo.test" in {r["email"] for r in read.json()["results"]}

    page.reload()
    reads = page.get_by_test_id(f"grant-reads-{grant.pk}").inner_text()
    assert "operator@demo.test" in reads and "users" in reads

    page.get_by_test_id(f"revoke-{grant.pk}").click()
    assert "will no longer see this content" in page.get_by_test_id("revoke-consequence").inner_text()
    page.get_by_test_id("revoke-confirm").click()
    page.wait_for_url(base + "/manage/support-access/")
    card = page.get_by_test_id(f"grant-{grant.pk}")
    assert card.get_by_test_id("grant-state").inner_text() == "Revoked"
    assert "operator@demo.test" in card.inner_text()  # the read stays listed
    assert page.get_by_test_id(f"revoke-{grant.pk}").count() == 0
    refused = operator.get(f"/api/v1/tenants/{demo.pk}/support/users/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "support_access_not_granted")


def test_the_administrators_pages_fit_1366_and_375_px_in_french(live_server_port: int, page) -> None:
    base = f"http://acme.localhost:{live_server_port}"
    _log_in(page, base, "admin@acme.test")
    page.goto(base + "/manage/support-access/")
    page.get_by_label("Pendant combien de jours").fill("7")
    page.get_by_role("button", name="Accorder l'accès").click()
    Tenant.objects.filter(slug="acme").update(custom_domains_allowed=True)
    page.goto(base + "/manage/domains/")
    page.get_by_label("Nom de domaine").fill("formation.une-tres-longue-organisation-exemple.example")
    page.get_by_test_id("domain-submit").click()
    assert page.get_by_test_id("domain-status").inner_text() == "En attente de vérification"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    token = page.get_by_test_id("record-value").inner_text()
    copy = page.locator("button.copy").nth(1)
    copy.click()
    page.wait_for_function("document.querySelectorAll('button.copy')[1].textContent === 'Copié'")
    assert page.evaluate("navigator.clipboard.readText()") == token
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path, heading in [("/manage/support-access/", "Accès de l'assistance"),
                          ("/manage/domains/", "Domaines personnalisés"),
                          ("/manage/audit-log/", "Journal d'audit"), ("/exports/", "Exports de vos données"),
                          ("/manage/users/", None), ("/manage/users/import/", None)]:
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + path)
            if heading:
                assert page.get_by_role("heading", level=1).inner_text() == heading
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            page.screenshot(path=str(SCREENSHOTS / f"admin13{path.replace('/', '_')}{width}.png"), full_page=True)
            assert overflow <= 0, (path, width, overflow)
