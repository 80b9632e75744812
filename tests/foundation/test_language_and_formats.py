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
    assert '"Uploading %(name)s\\u2026": "Envoi de %(name)s\\u2026"' in body
    assert '"Uploaded.": "Envoy\\u00e9."' in body
    english = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en").get("/jsi18n/").content.decode()
    assert "Envoi de" not in english and "gettext" in english


def test_the_upload_script_is_loaded_after_the_catalogue() -> None:
    template = engines["django"].get_template("courses/_upload_js.html").template.source
    assert template.index("javascript-catalog") < template.index("courses/upload.js")


# --- The language of a tenant page (courses.middleware.TenantLanguageMiddleware) ---------------------------


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_signed_in_users_language_comes_first(demo) -> None:
    with schema_context(demo.schema_name):
        User.objects.filter(email="learner1@demo.test").update(language="fr")
        Branding.objects.update_or_create(pk=1, defaults={"default_language": "en"})
        client = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(email="learner1@demo.test"))
    page = client.get("/my/profile/")
    assert _lang(page) == "fr" and "Mon profil" in page.content.decode()


def test_then_the_organisations_default_language_before_the_browsers(demo) -> None:
    with schema_context(demo.schema_name):
        Branding.objects.update_or_create(pk=1, defaults={"default_language": "fr"})
    assert _lang(Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en").get("/login/")) == "fr"
    with schema_context(demo.schema_name):
        Branding.objects.filter(pk=1).update(default_language="en")
    assert _lang(Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="fr").get("/login/")) == "en"


def test_without_a_default_language_the_browsers_then_the_organisations(demo, acme) -> None:
    for tenant in (demo, acme):
        with schema_context(tenant.schema_name):
            Branding.objects.filter(pk=1).delete()
    assert _lang(Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="fr").get("/login/")) == "fr"
    assert _lang(Client(HTTP_HOST=host_of(acme), HTTP_ACCEPT_LANGUAGE="en").get("/login/")) == "en"
    # A client that states no language (a script, curl) gets the organisation's.
    assert (demo.language, acme.language) == ("en", "fr")
    assert _lang(Client(HTTP_HOST=host_of(demo)).get("/login/")) == "en"
    assert _lang(Client(HTTP_HOST=host_of(acme)).get("/login/")) == "fr"


def test_a_visitors_explicit_choice_beats_the_organisations_default(demo) -> None:
    with schema_context(demo.schema_name):
        Branding.objects.update_or_create(pk=1, defaults={"default_language": "en"})
    client = Client(HTTP_HOST=host_of(demo))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert _lang(client.get("/login/")) == "fr"
