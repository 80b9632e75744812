"""Browser (real Chromium): the signer reads the terms of sale on the quote page (text, printable page, PDF) before
signing, in English and French; after signing, the customer administrator finds the signed order and its evidence on
the billing page; an operator publishes a new version from the console after its confirmation. Each page at 1366 px
and 375 px without horizontal scrolling (SPEC R22)."""

from __future__ import annotations

import hashlib
from base64 import b32decode
from decimal import Decimal
from pathlib import Path

from django_otp.oath import totp
from django_tenants.utils import schema_context

from console.demo import demo_operator_totp_ensure
from invoicing import services
from invoicing.models import BillingPeriod, Quote, QuoteSignature, TermsVersion
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tests.invoicing.helpers import unique_slug

PASSWORD = "a-long-passphrase-2026"
FR = "Article 1 — Le devis signé vaut commande définitive.\n\nArticle 13 — Réclamations sous 48 heures."
EN = "Article 1 — The signed quote is a definitive order.\n\nArticle 13 — Claims within 48 hours."


def _fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)


def test_signer_reads_the_terms_signs_and_the_administrator_finds_the_order(browser, live_server_port: int) -> None:
    terms = services.terms_version_publish(version=unique_slug("GCS"), text_fr=FR, text_en=EN)
    slug = unique_slug("terms")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Université de Tours", billing_address="Tours",
                                  country="FR", contact_name="Claire Martin", contact_email=f"claire@{slug}.example",
                                  wished_slug=slug, language="fr")
    quote = services.quote_send(quote=quote, signing_base_url=f"http://localhost:{live_server_port}")
    assert quote.terms_id == terms.pk
    base = f"http://localhost:{live_server_port}"
    for language, heading, text in (("fr", "Conditions générales de vente", "Le devis signé vaut commande"),
                                    ("en", "Terms and conditions", "The signed quote is a definitive order")):
        context = browser.new_context(locale=language, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base}/quotes/sign/{quote.token}/")
        assert heading in page.locator("#terms").inner_text()
        assert text in page.get_by_test_id("terms-text").inner_text()
        _fits(page, f"quote-sign-terms-{language}")
        with page.expect_download() as download:
            page.get_by_test_id("terms-pdf").click()
        assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == terms.sha256
        page.get_by_test_id("terms-print").click()
        assert text in page.get_by_test_id("terms-text").inner_text()
        _fits(page, f"quote-terms-print-{language}")
        if language == "en":
            page.goto(f"{base}/quotes/sign/{quote.token}/")
            page.get_by_label("Full name").fill("Claire Martin")
            page.get_by_label("Title").fill("Présidente")
            page.get_by_label("E-mail").fill(f"claire@{slug}.example")
            page.get_by_label("I have read the quote and the terms and conditions, and I accept them.").check()
            page.get_by_role("button", name="Sign the quote").click()
            page.wait_for_selector("h1")
        context.close()
    signature = QuoteSignature.objects.get(quote=quote)
    assert signature.terms_sha256 == terms.sha256 and Quote.objects.get(pk=quote.pk).status == "signed"
    tenant = Quote.objects.get(pk=quote.pk).subscription.tenant
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=f"claire@{slug}.example")
        admin.set_password(PASSWORD)
        admin.language, admin.is_active = "en", True
        admin.save()
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"http://{slug}.localhost:{live_server_port}/login/?next=/billing/")
    page.locator("input[name=username]").fill(f"claire@{slug}.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    order = page.get_by_test_id(f"order-{quote.pk}")
    assert signature.document_sha256 in order.inner_text() and terms.sha256 in order.inner_text()
    _fits(page, "billing-orders-en")
    context.close()


def test_operator_publishes_a_version_after_its_confirmation(browser, live_server_port: int) -> None:
    operator = User.objects.filter(email="operator@demo.test").first() or User.objects.create_user(
        "operator@demo.test", DEMO_PASSWORD, role=User.Role.OPERATOR, is_staff=True)
    demo_operator_totp_ensure(operator=operator)
    base = f"http://localhost:{live_server_port}"
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{base}/console/terms/")
    page.get_by_label("E-mail").fill("operator@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/console/otp/**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(b32decode('MOOCDEMOOPERATOR')):06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/console/terms/")
    version = unique_slug("GCS")
    page.get_by_label("Version").fill(version)
    page.get_by_label("French text").fill(FR)
    page.get_by_label("English text").fill(EN)
    _fits(page, "console-terms")
    page.get_by_test_id("terms-review").click()
    assert "live organisation" in page.get_by_test_id("consequence").inner_text()
    _fits(page, "console-terms-confirm")
    page.get_by_test_id("confirm").click()
    published = TermsVersion.objects.get(version=version)
    assert f"Version {version} is published" in page.locator(".messages").inner_text()
    assert published.sha256 in page.get_by_test_id("terms-versions").inner_text()
    context.close()
