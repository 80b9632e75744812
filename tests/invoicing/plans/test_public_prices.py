"""SPEC R30 — prices in public (GCS art. 11): `/pricing/` on the platform host lists each plan's price in force,
excluding tax, with its effective date, in French and English; a price published for a later date is announced,
not applied early; a retired plan is not listed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from invoicing import selectors, services
from invoicing.models import Plan
from tests.factories import PlanFactory
from tests.invoicing.helpers import paris, unique_slug


@pytest.fixture
def price_list(db, clock):
    """Only our plans on sale: Essential 100.00 + 2.80/seat since 2020-01-01; Campus (annual) 6,000.00 + 12.00/seat
    since 2026-03-01 10:00 Paris, raised to 6,600.00 from 2026-09-01."""
    Plan.objects.update(is_active=False)
    clock(paris(2026, 3, 1, 10))
    essential = PlanFactory(code=unique_slug("essential"), name="Essential")
    campus = services.plan_create(code=unique_slug("campus"), name="Campus", billing_period="annual",
                                  flat_amount=Decimal("6000.00"), per_seat_amount=Decimal("12.00"), seats=500)
    services.plan_price_change(plan=campus, flat_amount="6600.00", valid_from=paris(2026, 9, 1, 0))
    retired = PlanFactory(code=unique_slug("retired"), name="Retired")
    Plan.objects.filter(pk=retired.pk).update(is_active=False)
    return essential, campus


def test_public_prices_are_the_versions_in_force_with_the_next_one_announced(price_list, clock) -> None:
    clock(paris(2026, 8, 31, 23, 59))
    listed = selectors.public_prices()
    assert [(row.plan.name, row.current.flat_amount, row.current.valid_from) for row in listed] == [
        ("Campus", Decimal("6000.00"), paris(2026, 3, 1, 10)), ("Essential", Decimal("100.00"), paris(2020, 1, 1))]
    assert listed[0].upcoming.flat_amount == Decimal("6600.00") and listed[1].upcoming is None
    clock(paris(2026, 9, 1, 0))
    listed = selectors.public_prices()
    assert (listed[0].current.flat_amount, listed[0].current.valid_from, listed[0].upcoming) == (
        Decimal("6600.00"), paris(2026, 9, 1, 0), None)


# Amounts and dates as each language writes them (mooc_platform.formatting.localized): `6,000.00 €` and
# `March 1, 2026` in English, `6 000,00 €` (no-break spaces) and `1 mars 2026` in French.
@pytest.mark.parametrize(("lang", "texts", "number"), [
    ("en", ["<h1 data-testid=\"pricing-title\">Prices</h1>", "excluding tax", "In force since", "Annual",
            "From Sept. 1, 2026: 6,600.00 € per period and 12.00 € per seat, excluding tax."],
     {"6000": "6,000.00", "12": "12.00", "100": "100.00", "2.8": "2.80", "campus": "March 1, 2026",
      "essential": "Jan. 1, 2020"}),
    ("fr", ["<h1 data-testid=\"pricing-title\">Tarifs</h1>", "hors taxes", "En vigueur depuis", "Annuel",
            "À partir du 1 septembre 2026 : 6\u00a0600,00 € par période et 12,00 € par utilisateur, hors taxes."],
     {"6000": "6\u00a0000,00", "12": "12,00", "100": "100,00", "2.8": "2,80", "campus": "1 mars 2026",
      "essential": "1 janvier 2020"}),
])
def test_pricing_page_in_french_and_english(price_list, clock, lang, texts, number) -> None:
    essential, campus = price_list
    clock(paris(2026, 6, 1, 12))
    page = Client(HTTP_HOST="localhost").get(f"/pricing/?lang={lang}").content.decode()
    for text in texts:
        assert text in page
    assert f'lang="{lang}"' in page and "Retired" not in page
    euro = "\u00a0€"
    assert _cells(page, campus.code) == {"flat": number["6000"] + euro, "per-seat": number["12"] + euro,
                                         "effective": number["campus"]}
    assert _cells(page, essential.code) == {"flat": number["100"] + euro, "per-seat": number["2.8"] + euro,
                                            "effective": number["essential"]}


def _cells(page: str, code: str) -> dict[str, str]:
    """The cells with a test id of the plan's row."""
    row = page[page.index(f'data-testid="price-{code}"'):]
    row = row[:row.index("</tr>")]
    return dict(re.findall(r'<td data-testid="([\w-]+)"[^>]*>([^<]*)</td>', row))


def test_pricing_page_follows_the_browser_language_and_says_when_nothing_is_on_sale(db) -> None:
    Plan.objects.update(is_active=False)
    page = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr").get("/pricing/?lang=xx").content.decode()
    assert "Aucune offre n’est en vente pour le moment." in page and 'lang="fr"' in page
    page = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en").get("/pricing/").content.decode()
    assert 'data-testid="no-prices">No plan is on sale at the moment.' in page
