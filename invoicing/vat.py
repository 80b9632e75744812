"""VAT on invoices (SPEC R8, GCS art. 11): the rate in force on the invoice date, by the buyer's situation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren

from mooc_platform.errors import ApplicationError

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# French standard rate by date of entry into force (CGI art. 278). Add a row when the law changes.
FR_STANDARD_RATES: list[tuple[date, Decimal]] = [
    (date(2000, 4, 1), Decimal("19.60")),
    (date(2014, 1, 1), Decimal("20.00")),
]
REVERSE_CHARGE_MENTION = ("Autoliquidation — TVA due par le preneur (article 196 de la directive 2006/112/CE, "
                          "article 283-2 du CGI) / Reverse charge")
EXPORT_MENTION = "TVA non applicable — article 259-1 du CGI (preneur établi hors de l'Union européenne)"


class InvalidVatNumberError(ApplicationError):
    code = "invalid_vat_number"


@dataclass(frozen=True)
class VatTreatment:
    scheme: str  # Invoice.VatScheme value
    rate: Decimal
    mention: str


def vat_number_clean(*, vat_number: str, country: str) -> str:
    """The VAT number in compact form, checked with python-stdnum and against the buyer's country.
    Empty stays empty (a buyer without a VAT number)."""
    if not (vat_number or "").strip():
        return ""
    try:
        number = eu_vat.compact(vat_number)
    except ValidationError as exc:
        raise InvalidVatNumberError("This VAT number is not valid.", details={"vat_number": vat_number}) from exc
    prefix = "EL" if country.upper() == "GR" else country.upper()
    if not eu_vat.is_valid(number):
        raise InvalidVatNumberError("This VAT number is not valid.", details={"vat_number": vat_number})
    if not number.startswith(prefix):
        raise InvalidVatNumberError(f"This VAT number does not belong to country {country.upper()}.",
                                    details={"vat_number": vat_number, "country": country})
    return number


def siren_clean(*, siren: str, country: str) -> str:
    """A French buyer's SIREN (9 digits, Luhn), printed on its invoices since the 2026 e-invoicing reform."""
    if not (siren or "").strip():
        return ""
    if country.upper() != "FR":
        raise InvalidVatNumberError("A SIREN only identifies French organisations.", details={"siren": siren},
                                    code="invalid_siren")
    try:
        return fr_siren.validate(siren)
    except ValidationError as exc:
        raise InvalidVatNumberError("This SIREN is not valid.", details={"siren": siren}, code="invalid_siren") from exc


def fr_standard_rate(*, on: date) -> Decimal:
    rate = FR_STANDARD_RATES[0][1]
    for since, value in FR_STANDARD_RATES:
        if on >= since:
            rate = value
    return rate


def vat_treatment(*, country: str, vat_number: str, on: date) -> VatTreatment:
    """FR buyer: French VAT. EU buyer with a VAT number: reverse charge. Outside the EU: 0 %.
    An EU buyer without a VAT number is treated as French VAT (the seller's rate)."""
    country = country.upper()
    if country != "FR" and country in EU_COUNTRIES and vat_number:
        return VatTreatment("reverse_charge", Decimal("0.00"), REVERSE_CHARGE_MENTION)
    if country not in EU_COUNTRIES:
        return VatTreatment("export", Decimal("0.00"), EXPORT_MENTION)
    return VatTreatment("fr", fr_standard_rate(on=on), "")
