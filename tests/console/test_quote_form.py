"""The console's quote form (issue 12 item 1): bad input re-displays the form with the operator's input and
the rule broken, never a 500, and creates nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from invoicing.models import Quote
from tests.helpers import console_client

TODAY = date(2026, 3, 10)


def _form(plan_, **changes):  # type: ignore[no-untyped-def]
    data = {"plan": plan_.pk, "organisation_name": "Université de Tours", "billing_address": "60 rue du Plat d'Étain",
            "country": "FR", "vat_number": "", "siren": "", "contact_name": "Claire Martin",
            "contact_email": "claire@tours.example", "language": "fr", "wished_slug": "univ-tours", "seats": "40",
            "valid_until": "2026-04-01", "initial_term_months": "12"}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"siren": "123456789"}, "siren", "This SIREN is not valid."),
    ({"siren": "732829320", "country": "DE"}, "siren", "A SIREN only identifies French organisations."),
    ({"vat_number": "FR00000000000"}, "vat_number", "This VAT number is not valid."),
    ({"wished_slug": "demo"}, "wished_slug", "'demo' is already taken."),
    ({"wished_slug": "console"}, "wished_slug", "'console' is reserved by the platform."),
    ({"wished_slug": "Bad Slug!"}, "wished_slug", "Enter a valid “slug”"),
    ({"valid_until": "2026-03-09"}, "valid_until", "The validity date cannot be in the past."),
    ({"valid_until": "31/31/2026"}, "valid_until", "Enter a valid date."),
    ({"country": "France"}, "country", "Ensure this value has at most 2 characters"),
    ({"country": "F1"}, "country", "Use the two-letter ISO 3166 code"),
    ({"seats": "0"}, "seats", "At least one seat."),
    ({"seats": "-4"}, "seats", "Ensure this value is greater than or equal to 0."),
    ({"initial_term_months": "600"}, "initial_term_months", "Between 1 and 60 months."),
    ({"contact_email": "not-an-email"}, "contact_email", "Enter a valid email address."),
    ({"plan": "999999"}, "plan", "Select a valid choice."),
])
def test_bad_quote_input_is_shown_on_its_field_and_kept(demo, plan, changes, field, message) -> None:
    with time_machine.travel(TODAY, tick=False):
        response = console_client().post("/console/quotes/new/", _form(plan, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert 'value="Université de Tours"' in html and "60 rue du Plat d&#x27;Étain" in html  # the input is kept
    assert not Quote.objects.filter(organisation_name="Université de Tours").exists()


def test_a_good_quote_is_created_as_a_draft(demo, plan) -> None:
    with time_machine.travel(TODAY, tick=False):
        response = console_client().post("/console/quotes/new/", _form(plan, siren="732829320"))
    quote = Quote.objects.get(wished_slug="univ-tours")
    assert response.status_code == 302 and response["Location"] == f"/console/quotes/{quote.pk}/"
    assert (quote.status, quote.siren, quote.seats, quote.valid_until) == ("draft", "732829320", 40, date(2026, 4, 1))
