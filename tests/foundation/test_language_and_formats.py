"""Issue 13 item 5: one formatter for numbers, money, percentages, sizes and dates (`localized`, the
`|localized` filter), the scripts' strings served by the JavaScript catalogue, and the order in which a
tenant page picks its language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from courses.models import Branding
from mooc_platform.accounts.models import User
from mooc_platform.formatting import localized
from tests.helpers import host_of

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "kind", "french", "english"), [
    (Decimal("48150.5"), "money", f"48{NBSP}150,50{NBSP}€", f"48,150.50{NBSP}€"),
    (Decimal("1234.5"), "amount", f"1{NBSP}234,50", "1,234.50"),
    (Decimal("12.5"), "percent", f"12,5{NBSP}%", f"12.5{NBSP}%"),
    (Decimal("87.5"), "percent:2", f"87,50{NBSP}%", f"87.50{NBSP}%"),
    (Decimal("70.00"), "percent:auto", f"70{NBSP}%", f"70{NBSP}%"),
    (Decimal("62.50"), "percent:auto", f"62,5{NBSP}%", f"62.5{NBSP}%"),
    (0.125, "ratio", f"12,5{NBSP}%", f"12.5{NBSP}%"),
    (Decimal("3.00"), "number", "3", "3"),
    (Decimal("2.50"), "number", "2,5", "2.5"),
    (12345, "number", f"12{NBSP}345", "12,345"),
    (2.256, "number:1", "2,3", "2.3"),
    (1536, "bytes", f"1,5{NBSP}Kio", f"1.5{NBSP}KB"),
    (Decimal("0.125"), "amount", "0,13", "0.13"),  # half up, never cut off
    (date(2027, 3, 2), "date", "2 mars 2027", "March 2, 2027"),
    (date(2027, 3, 2), "shortdate", "02/03/2027", "03/02/2027"),
    # 23:30 UTC on 31 March is 1:30 on 1 April in Paris (summer time): dates are Paris dates.
    (datetime(2027, 3, 31, 23, 30, tzinfo=UTC), "date", "1 avril 2027", "April 1, 2027"),
    (datetime(2027, 3, 31, 23, 30, tzinfo=UTC), "datetime", "1 avril 2027 01:30", "April 1, 2027, 1:30 a.m."),
    # Evidence (a claim's receipt, a signature) to the second, on a 24-hour clock in both languages.
    (datetime(2027, 3, 31, 23, 30, 5, tzinfo=UTC), "timestamp", "1 avril 2027 01:30:05", "April 1, 2027, 01:30:05"),
    (None, "money", "", ""),
    ("", "percent", "", ""),
    ("n/a", "money", "n/a", "n/a"),
])
def test_values_are_written_the_way_each_language_reads_them(value, kind, french, english) -> None:
    assert localized(value, kind, language="fr") == french
    assert localized(value, kind, language="en") == english
    with translation.override("fr"):
        assert localized(value, kind) == french


def test_an_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'euros'"):
        localized(Decimal(1), "euros")


def test_the_filter_is_available_in_every_template_without_loading_it() -> None:
    template = engines["django"].from_string('{{ amount|localized:"money" }} · {{ rate|localized:"percent" }}')
    with translation.override("fr"):
        assert template.render({"amount": Decimal("1234.5"), "rate": 0.5}) == f"1{NBSP}234,50{NBSP}€ · 0,5{NBSP}%"
    with translation.override("en"):
        assert template.render({"amount": Decimal("1234.5"), "rate": 0.5}) == f"1,234.50{NBSP}€ · 0.5{NBSP}%"


def test_the_scripts_strings_are_served_in_the_pages_language(demo, acme) -> None:
    french = Client(HTTP_HOST=host_of(acme), HTTP_ACCEPT_LANGUAGE="fr").get("/jsi18n/")
    assert french.status_code == 200 and french["Content-Type"].startswith("text/javascript")
    body = french.content.decode()
    assert '"Uploading %(name)s\\u2026 %(percent)s": "Envoi de %(name)s\\u2026 %(percent)s"' in body
    assert '"%(name)s uploaded.": "%(name)s envoy\\u00e9."' in body
    english = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en").get("/jsi18n/").content.decode()
    assert "Envoi de" not in english and "gettext" in english


def test_the_upload_script_is_loaded_after_the_catalogue() -> None:
    template = engines["django"].get_template("courses/_upload_js.html").template.source
    assert template.index("javascript-catalog") < template.index("courses/upload.js")


# --- The language of a page (courses.middleware.page_language) --------------------------------------------
# On a tenant host: the signed-in user's, then the visitor's choice (language cookie), then the organisation's
# (`Tenant.language`, with or without a branding), then the browser's, then settings.LANGUAGE_CODE. On the
# platform's host the same without the organisation's. Each test below shows one step winning over the next.


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def _visitor(host: str, *, cookie: str | None = None, browser: str | None = None) -> Client:
    client = Client(HTTP_HOST=host, **({"HTTP_ACCEPT_LANGUAGE": browser} if browser else {}))
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    return client


def test_a_signed_in_users_language_beats_the_cookie_the_organisation_and_the_browser(demo, acme) -> None:
    for tenant, email, mine, other in ((demo, "learner1@demo.test", "fr", "en"),
                                       (acme, "learner1@acme.test", "en", "fr")):
        with schema_context(tenant.schema_name):
            User.objects.filter(email=email).update(language=mine)
            client = _visitor(host_of(tenant), cookie=other, browser=other)
            client.force_login(User.objects.get(email=email))
        page = client.get("/my/profile/")
        assert _lang(page) == mine, tenant.slug
        assert ("Mon profil" in page.content.decode()) == (mine == "fr")


def test_then_the_visitors_choice_beats_the_organisation_and_the_browser(demo, acme) -> None:
    assert _lang(_visitor(host_of(demo), cookie="fr", browser="en").get("/login/")) == "fr"
    assert _lang(_visitor(host_of(acme), cookie="en", browser="fr").get("/login/")) == "en"
    # A cookie of a language the platform does not speak is no choice.
    assert _lang(_visitor(host_of(acme), cookie="de", browser="en").get("/login/")) == "fr"


def test_then_the_organisations_language_beats_the_browsers_with_or_without_a_branding(demo, acme) -> None:
    assert (demo.language, acme.language) == ("en", "fr")
    for branded in (True, False):
        for tenant in (demo, acme):
            with schema_context(tenant.schema_name):
                if branded:
                    Branding.objects.get_or_create(pk=1)
                else:
                    Branding.objects.filter(pk=1).delete()
        assert _lang(_visitor(host_of(demo), browser="fr").get("/login/")) == "en"
        french = _visitor(host_of(acme), browser="en").get("/login/")
        assert _lang(french) == "fr" and "Mot de passe oublié ?" in french.content.decode()
        assert _lang(_visitor(host_of(demo)).get("/login/")) == "en"  # a client that states none (curl)


def test_the_administrator_changes_the_organisations_language_on_the_branding_page(demo) -> None:
    from courses.services import branding_update, tenant_default_language
    from tenants.models import Tenant

    with schema_context(demo.schema_name):
        Branding.objects.filter(pk=1).delete()
        admin = User.objects.get(email="admin@demo.test")
        client = Client(HTTP_HOST=host_of(demo))
        client.force_login(admin)
    page = client.get("/manage/branding/").content.decode()
    assert '<option value="en" selected>' in page
    assert client.post("/manage/branding/", {"name": "", "primary_color": "#1d4ed8", "accent_color": "#b45309",
                                             "default_language": "fr", "email_sender_name": ""}).status_code == 302
    assert Tenant.objects.get(pk=demo.pk).language == "fr"  # its one home: the tenant row
    with schema_context(demo.schema_name):
        assert tenant_default_language() == "fr"
        assert not hasattr(Branding, "default_language")
        branding_update(actor=admin, primary_color="#1d4ed8")  # a change without the language keeps it
    assert Tenant.objects.get(pk=demo.pk).language == "fr"
    assert _lang(_visitor(host_of(demo), browser="en").get("/login/")) == "fr"


def test_then_the_browsers_then_the_settings_default(demo) -> None:
    from tenants.models import Tenant

    # An organisation whose language the platform does not speak (a row written by hand): the browser decides.
    Tenant.objects.filter(pk=demo.pk).update(language="de")
    assert _lang(_visitor(host_of(demo), browser="fr").get("/login/")) == "fr"
    assert _lang(_visitor(host_of(demo)).get("/login/")) == settings.LANGUAGE_CODE == "en"


def test_on_the_platforms_host_the_user_then_the_cookie_then_the_browser(demo) -> None:
    operator = User.objects.get(email="operator@demo.test")
    User.objects.filter(pk=operator.pk).update(language="fr")
    signed_in = _visitor("localhost", cookie="en", browser="en")
    signed_in.force_login(User.objects.get(pk=operator.pk))
    assert _lang(signed_in.get("/legal/")) == "fr"
    assert _lang(_visitor("localhost", cookie="fr", browser="en").get("/legal/")) == "fr"
    assert _lang(_visitor("localhost", cookie="en", browser="fr").get("/legal/")) == "en"
    assert _lang(_visitor("localhost", browser="fr").get("/legal/")) == "fr"
    assert _lang(_visitor("localhost", browser="en").get("/legal/")) == "en"
    assert _lang(_visitor("localhost").get("/legal/")) == settings.LANGUAGE_CODE
