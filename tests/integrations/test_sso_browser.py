"""Browser (real Chromium): single sign-on through real identity providers on loopback (issue 17 item 1, "Done
when"). An administrator configures the provider on /manage/sso/, then a user clicks "Sign in with <IdP>", signs
in on the provider's own page and lands signed in: OpenID Connect on demo (English), SAML 2.0 on acme (French).
The pages are looked at at 1366 and 375 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mooc_platform.demo import DEMO_PASSWORD

from .helpers import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, IdpProcess

SHOTS = Path("/tmp/sso17-screenshots")
IDP_PASSWORD = "idp-password-2026"


def _no_horizontal_scroll(page) -> bool:
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert wide == [], wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def _sso_left_clean(live_server_port: int) -> Iterator[None]:
    """Committed rows of a tenant schema stay after a transactional test: leave no provider or policy behind
    (an "SSO only" policy would refuse the passwords of the next tests)."""
    yield
    from django_tenants.utils import schema_context

    from integrations.models import IdentityProvider, SsoPolicy
    from tenants.models import Tenant

    for schema_name in Tenant.objects.filter(slug__in=["demo", "acme"]).values_list("schema_name", flat=True):
        with schema_context(schema_name):
            IdentityProvider.objects.all().delete()
            SsoPolicy.objects.all().delete()


def _log_in(page, base: str, email: str, *, next_path: str, labels: tuple[str, str, str]) -> None:
    page.goto(f"{base}/login/?next={next_path}")
    page.get_by_label(labels[0], exact=True).fill(email)
    page.get_by_label(labels[1], exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=labels[2]).click()
    page.wait_for_url(f"{base}{next_path}")


def test_a_user_signs_in_through_the_openid_connect_provider(
        live_server_port: int, page, oidc_provider: IdpProcess, settings, _sso_left_clean) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    oidc_provider.admin("users", {"users": [{"email": "learner1@demo.test", "password": IDP_PASSWORD,
                                             "name": "Learner One"}]})
    base = f"http://demo.localhost:{live_server_port}"
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, base, "admin@demo.test", next_path="/manage/sso/", labels=("E-mail", "Password", "Log in"))
    assert page.get_by_test_id("sso-providers-empty").inner_text() == "No identity provider yet."
    page.get_by_test_id("sso-add-oidc").click()
    page.get_by_label("Name shown on the sign-in page").fill("Demo Login")
    page.get_by_label("Discovery URL (…/.well-known/openid-configuration)").fill("http://10.0.0.1/x")
    page.get_by_label("Client ID").fill(OIDC_CLIENT_ID)
    page.get_by_label("Client secret").fill(OIDC_CLIENT_SECRET)
    page.get_by_test_id("sso-provider-submit").click()
    assert "The identity provider's URL must use HTTPS." in page.get_by_test_id("sso-provider-form").inner_text()
    page.get_by_label("Discovery URL (…/.well-known/openid-configuration)").fill(
        f"{oidc_provider.base}/.well-known/openid-configuration")
    page.get_by_label("Client secret").fill(OIDC_CLIENT_SECRET)
    page.get_by_test_id("sso-provider-submit").click()
    page.wait_for_url(f"{base}/manage/sso/*/")
    provider_id = page.url.rstrip("/").split("/")[-1]
    assert page.get_by_test_id("sso-redirect-uri").inner_text() == f"{base}/sso/{provider_id}/oidc/callback/"
    form = page.get_by_test_id("sso-provider-form").inner_text()
    assert "Stored: ••••6789. Leave empty to keep it." in form and OIDC_CLIENT_SECRET not in page.content()
    _shots(page, "oidc-provider-en")

    page.goto(f"{base}/manage/sso/")
    page.get_by_label("SSO only (administrators keep their password, in case the IdP fails)").check()
    page.get_by_test_id("sso-policy-submit").click()
    assert "Sign-in policy saved." in page.locator(".messages").inner_text()
    assert "Demo Login" in page.get_by_test_id("sso-providers").inner_text()
    _shots(page, "sso-en")
    page.get_by_role("button", name="Log out").click()

    # The learner's password is refused under "SSO only"; the sign-in page offers the provider.
    page.goto(f"{base}/login/?next=/courses/")
    page.get_by_label("E-mail", exact=True).fill("learner1@demo.test")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_test_id("login-error").inner_text() == (
        "This organisation signs in through its identity provider: use “Sign in with Demo Login”.")
    _shots(page, "login-sso-en")
    page.get_by_role("link", name="Sign in with Demo Login").click()
    page.wait_for_url(f"{oidc_provider.base}/authorize?*")
    page.get_by_label("IdP e-mail").fill("learner1@demo.test")
    page.get_by_label("IdP password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/courses/")
    assert "learner1@demo.test" in page.locator("header").inner_text()

    # Coming back with the same answer again (a replayed callback) is a clear page, not a 500.
    page.goto(f"{base}/sso/{provider_id}/oidc/callback/?state=replayed&code=x")
    assert page.get_by_test_id("sso-error").inner_text() == (
        "This sign-in link has expired or was already used. Start again from the sign-in page.")
    _shots(page, "sso-error-en")


@pytest.fixture
def page_fr(browser) -> Iterator:
    context = browser.new_context(locale="fr-FR", accept_downloads=True)  # a browser set to French
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_a_user_signs_in_through_the_saml_idp_in_french(
        live_server_port: int, page_fr, saml_idp: IdpProcess, settings, _sso_left_clean) -> None:
    page = page_fr
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "http", str(live_server_port)
    saml_idp.admin("users", {"users": [{"email": "learner2@acme.test", "password": IDP_PASSWORD,
                                        "name": "Learner Two"}]})
    base = f"http://acme.localhost:{live_server_port}"
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, base, "admin@acme.test", next_path="/manage/sso/",
            labels=("E-mail", "Mot de passe", "Se connecter"))
    page.get_by_test_id("sso-add-saml").click()
    page.get_by_label("Nom affiché sur la page de connexion").fill("IdP Acme")
    page.get_by_label("URL des métadonnées de l'IdP").fill(f"{saml_idp.base}/metadata")
    page.get_by_label("Claim ou attribut de l'e-mail").fill("mail")
    page.get_by_test_id("sso-provider-submit").click()
    page.wait_for_url(f"{base}/manage/sso/*/")
    provider_id = page.url.rstrip("/").split("/")[-1]
    assert page.get_by_test_id("sso-entity-id").inner_text() == f"{base}/sso/{provider_id}/saml/metadata/"
    assert page.get_by_test_id("sso-acs").inner_text() == f"{base}/sso/{provider_id}/saml/acs/"
    with page.expect_download() as download_info:
        page.get_by_test_id("sso-sp-metadata").click()
    metadata = Path(download_info.value.path()).read_text()
    assert f'entityID="{base}/sso/{provider_id}/saml/metadata/"' in metadata
    assert f'Location="{base}/sso/{provider_id}/saml/acs/"' in metadata
    saml_idp.admin("sp", raw=metadata)  # the customer registers our metadata with its IdP
    _shots(page, "saml-provider-fr")
    page.get_by_role("button", name="Déconnexion").click()

    page.goto(f"{base}/login/?next=/courses/")
    page.get_by_role("link", name="Se connecter avec IdP Acme").click()
    page.wait_for_url(f"{saml_idp.base}/sso/redirect?*")
    page.get_by_label("IdP e-mail").fill("learner2@acme.test")
    page.get_by_label("IdP password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Continue").click()  # the IdP posts the signed answer back to our ACS
    page.wait_for_url(f"{base}/courses/")
    assert "learner2@acme.test" in page.locator("header").inner_text()

    # An answer that does not come from the IdP (a forged form post) is a clear French page.
    page.goto(f"{base}/login/")
    page.evaluate("""([url]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        const i = document.createElement('input'); i.name = 'SAMLResponse'; i.value = 'PGZvcmdlZC8+';
        f.appendChild(i); document.body.appendChild(f); f.submit(); }""", [f"{base}/sso/{provider_id}/saml/acs/"])
    page.wait_for_url(f"{base}/sso/{provider_id}/saml/acs/")
    assert page.get_by_test_id("sso-error").inner_text() == (
        "La réponse du fournisseur d'identité n'a pas pu être lue ou vérifiée. Personne n'a été connecté.")
    _shots(page, "sso-error-fr")
