"""Issue 9 item 11 — VAT (SPEC R8): an EU buyer without a VAT number pays its own member state's rate in
force on the invoice date (OSS); Monaco is French VAT territory; VAT numbers get an optional VIES check,
here against a fake VIES server on loopback (a real HTTP server, the real client, real timeouts)."""

from __future__ import annotations

import io
import socket
import time
from datetime import date
from decimal import Decimal

import facturx
import pytest

from invoicing import services
from invoicing.models import Quote, VatNumberCheck
from invoicing.vat import EU_COUNTRIES, EU_STANDARD_RATES, InvalidVatNumberError, standard_rate, vat_treatment
from mooc_platform import storage
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign

# --- OSS: the buyer's member state's rate ------------------------------------------------------------


def test_eu_buyer_without_vat_number_pays_its_own_countrys_rate_under_oss(quote_sent, clock) -> None:
    clock(paris(2026, 4, 1, 9))
    invoice = sign(quote_sent(country="DE")).invoice
    assert (invoice.vat_scheme, invoice.vat_rate) == ("oss", Decimal("19.00"))
    assert (invoice.total_excl_tax, invoice.total_vat, invoice.total_incl_tax) == (
        Decimal("240.00"), Decimal("45.60"), Decimal("285.60"))
    assert invoice.vat_mention.startswith("TVA DE 19,00 % — ") and "259 D du CGI" in invoice.vat_mention
    assert "One-Stop Shop" in invoice.vat_mention
    _, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(storage.object_get(
        key=services.invoice_pdf_ensure(invoice=invoice))), check_xsd=True)
    assert b"<ram:CategoryCode>S</ram:CategoryCode>" in xml
    assert b"<ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>" in xml


def test_oss_rate_is_the_one_in_force_on_the_invoice_date(quote_sent, clock) -> None:
    clock(paris(2025, 6, 30, 9))
    before = sign(quote_sent(country="EE")).invoice
    clock(paris(2025, 7, 1, 9))
    after = sign(quote_sent(country="EE")).invoice
    assert (before.vat_rate, before.total_vat) == (Decimal("22.00"), Decimal("52.80"))
    assert (after.vat_rate, after.total_vat) == (Decimal("24.00"), Decimal("57.60"))


@pytest.mark.parametrize(("country", "day_before", "rate_before", "since", "rate_since"), [
    ("EE", date(2023, 12, 31), "20.00", date(2024, 1, 1), "22.00"),
    ("EE", date(2025, 6, 30), "22.00", date(2025, 7, 1), "24.00"),
    ("FI", date(2024, 8, 31), "24.00", date(2024, 9, 1), "25.50"),
    ("SK", date(2024, 12, 31), "20.00", date(2025, 1, 1), "23.00"),
    ("RO", date(2025, 7, 31), "19.00", date(2025, 8, 1), "21.00"),
    ("LU", date(2022, 12, 31), "17.00", date(2023, 1, 1), "16.00"),
    ("LU", date(2023, 12, 31), "16.00", date(2024, 1, 1), "17.00"),
    ("IE", date(2021, 2, 28), "21.00", date(2021, 3, 1), "23.00"),
    ("FR", date(2013, 12, 31), "19.60", date(2014, 1, 1), "20.00"),
])
def test_rate_table_changes_on_the_day_the_law_does(country, day_before, rate_before, since, rate_since) -> None:
    assert standard_rate(country=country, on=day_before) == Decimal(rate_before)
    assert standard_rate(country=country, on=since) == Decimal(rate_since)
    treatment = vat_treatment(country=country, vat_number="", on=since)
    assert treatment.rate == Decimal(rate_since)
    assert treatment.scheme == ("fr" if country == "FR" else "oss")


def test_every_member_state_has_a_dated_rate_and_rates_are_exact_decimals() -> None:
    assert set(EU_STANDARD_RATES) == EU_COUNTRIES
    for rows in EU_STANDARD_RATES.values():
        assert [since for since, _ in rows] == sorted(since for since, _ in rows)
        assert all(isinstance(rate, Decimal) and rate == rate.quantize(Decimal("0.01")) for _, rate in rows)
    assert standard_rate(country="DE", on=date(2026, 12, 1)) == Decimal("19.00")
    assert standard_rate(country="HU", on=date(2026, 12, 1)) == Decimal("27.00")


def test_eu_buyer_with_a_vat_number_stays_under_reverse_charge_and_outside_the_eu_pays_none() -> None:
    assert vat_treatment(country="DE", vat_number="DE136695976", on=date(2026, 4, 1)).scheme == "reverse_charge"
    assert vat_treatment(country="CH", vat_number="", on=date(2026, 4, 1)).scheme == "export"


# --- Monaco: French VAT territory --------------------------------------------------------------------


def test_monaco_buyer_is_invoiced_french_vat(quote_sent, clock) -> None:
    clock(paris(2026, 4, 1, 9))
    invoice = sign(quote_sent(country="MC")).invoice
    assert (invoice.vat_scheme, invoice.vat_rate, invoice.total_vat, invoice.total_incl_tax) == (
        "fr", Decimal("20.00"), Decimal("48.00"), Decimal("288.00"))
    assert invoice.vat_mention == ""


def test_monaco_buyer_with_its_french_vat_number_is_not_reverse_charged(quote_sent, clock) -> None:
    clock(paris(2026, 4, 1, 9))
    quote = quote_sent(country="MC", vat_number="FR 40 303 265 045")
    assert quote.vat_number == "FR40303265045"
    invoice = sign(quote).invoice
    assert (invoice.vat_scheme, invoice.vat_rate, invoice.total_incl_tax) == ("fr", Decimal("20.00"), Decimal("288.00"))
    with pytest.raises(InvalidVatNumberError, match="does not belong to country MC"):
        quote_sent(country="MC", vat_number="DE136695976")


# --- VIES --------------------------------------------------------------------------------------------

def test_vies_registered_number_is_recorded_with_the_consultation_and_reverse_charged(
        quote_sent, clock, fake_vies) -> None:
    clock(paris(2026, 4, 1, 9))
    quote = quote_sent(country="DE", vat_number="DE 136 695 976")
    assert fake_vies == [{"countryCode": "DE", "vatNumber": "136695976"}]
    check = VatNumberCheck.objects.get()
    assert (check.vat_number, check.result, check.name, check.address, check.request_identifier, check.quote_id) == (
        "DE136695976", "valid", "Beispiel & Söhne GmbH", "Hauptstraße 1\n10115 Berlin", "WAPIAAAAZ1k2Xy0x", quote.pk)
    assert check.checked_at == paris(2026, 4, 1, 9) and check.error == ""
    assert sign(quote).invoice.vat_scheme == "reverse_charge"


def test_vies_unregistered_number_is_refused_and_the_answer_kept(quote_sent, clock, fake_vies) -> None:
    clock(paris(2026, 4, 1, 9))
    with pytest.raises(InvalidVatNumberError) as refused:
        quote_sent(country="DE", vat_number="DE129273398")
    assert refused.value.code == "vat_number_not_registered"
    check = VatNumberCheck.objects.get()
    assert (check.result, check.name, check.address, check.quote_id) == ("invalid", "", "", None)
    assert refused.value.details == {"vat_number": "DE129273398", "vies_check_id": check.pk}
    assert not Quote.objects.filter(vat_number="DE129273398").exists()


def test_vies_slower_than_the_timeout_never_blocks_the_quote(quote_sent, clock, fake_vies) -> None:
    clock(paris(2026, 4, 1, 9))
    started = time.perf_counter()
    quote = quote_sent(country="DE", vat_number="DE811907980")
    assert time.perf_counter() - started < 2.5  # the fake answers after 3 s; the client gave up at 0.5 s
    check = VatNumberCheck.objects.get()
    assert (check.result, check.quote_id) == ("unavailable", quote.pk)
    assert "timed out" in check.error
    assert sign(quote).invoice.vat_scheme == "reverse_charge"  # on the number's format, as before VIES


@pytest.mark.parametrize(("vat_number", "country", "error"), [
    ("ATU13585627", "AT", "MS_UNAVAILABLE"),  # a member state's register is down
    ("BE0776091951", "BE", "HTTP 500"),  # VIES itself fails
])
def test_vies_unavailable_is_recorded_and_does_not_block(quote_sent, clock, fake_vies, vat_number, country,
                                                         error) -> None:
    clock(paris(2026, 4, 1, 9))
    quote = quote_sent(country=country, vat_number=vat_number)
    assert VatNumberCheck.objects.values_list("vat_number", "result", "error", "quote_id").get() == (
        vat_number, "unavailable", error, quote.pk)


def test_vies_unreachable_does_not_block(quote_sent, clock, settings) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.INVOICING_VIES_CHECK = True
    settings.INVOICING_VIES_URL = f"http://127.0.0.1:{port}/rest-api/check-vat-number"
    clock(paris(2026, 4, 1, 9))
    quote = quote_sent(country="DE", vat_number="DE136695976")
    check = VatNumberCheck.objects.get()
    assert (check.result, check.quote_id) == ("unavailable", quote.pk) and "refused" in check.error.lower()


def test_vies_check_on_a_quote_edit_and_off_by_default(quote_sent, plan, clock, settings, fake_vies) -> None:
    clock(paris(2026, 4, 1, 9))
    draft = services.quote_create(plan=plan, organisation_name="Trinity", billing_address="Dublin", country="IE",
                                  contact_name="Aoife", contact_email="aoife@tcd.example", wished_slug="trinity-vies")
    assert fake_vies == [] and not VatNumberCheck.objects.exists()  # no number, no question
    services.quote_update(quote=draft, vat_number="IE 6388047 V")
    assert VatNumberCheck.objects.values_list("vat_number", "result", "name", "quote_id").get() == (
        "IE6388047V", "valid", "", draft.pk)
    settings.INVOICING_VIES_CHECK = False
    quote_sent(country="DE", vat_number="DE129273398")  # off: the format check alone, VIES not asked
    assert len(fake_vies) == 1 and VatNumberCheck.objects.count() == 1


def test_operator_sees_the_vies_answer_on_the_quote_in_the_console(quote_sent, clock, fake_vies) -> None:


    clock(paris(2026, 4, 1, 9))
    quote = quote_sent(country="DE", vat_number="DE136695976")
    client = console_client()
    page = client.get(f"/console/invoicing/quote/{quote.pk}/change/")
    assert page.status_code == 200
    assert "Registered in VIES" in page.content.decode() and "WAPIAAAAZ1k2Xy0x" in page.content.decode()
