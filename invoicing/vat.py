"""VAT on invoices (SPEC R8, GCS art. 11): the rate in force on the invoice date, by the buyer's situation.

- French buyer, and a buyer in Monaco (French VAT territory: Franco-Monegasque convention of 18 May 1963,
  CGI art. 256-0): French VAT, VAT number or not.
- EU buyer with a VAT number: reverse charge (CGI art. 283-2).
- EU buyer without a VAT number (a non-taxable organisation): the platform is an electronically supplied
  service, taxed where the customer is (CGI art. 259 D, directive 2006/112/EC art. 58), at that member
  state's rate on the invoice date, declared through the One-Stop Shop (OSS, CGI art. 298 sexdecies F).
  The seller is assumed to be past the EUR 10,000 threshold (or to have opted), as a SaaS selling EU-wide is.
- Outside the EU: no French VAT (CGI art. 259-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren

from invoicing.errors import Code
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


def _r(*rows: tuple[date, str]) -> list[tuple[date, Decimal]]:
    return [(since, Decimal(rate)) for since, rate in rows]


_OSS_START = date(2021, 1, 1)  # the table starts here (OSS itself opened on 1 July 2021, MOSS in 2015)
# Standard rate of every member state by date of entry into force (European Commission, "VAT rates applied in
# the Member States"). Electronically supplied services bear the standard rate. Add a row when a law changes.
EU_STANDARD_RATES: dict[str, list[tuple[date, Decimal]]] = {
    "AT": _r((_OSS_START, "20.00")),
    "BE": _r((_OSS_START, "21.00")),
    "BG": _r((_OSS_START, "20.00")),
    "CY": _r((_OSS_START, "19.00")),
    "CZ": _r((_OSS_START, "21.00")),
    "DE": _r((_OSS_START, "19.00")),  # 16 % from 1 July to 31 December 2020
    "DK": _r((_OSS_START, "25.00")),
    "EE": _r((_OSS_START, "20.00"), (date(2024, 1, 1), "22.00"), (date(2025, 7, 1), "24.00")),
    "ES": _r((_OSS_START, "21.00")),
    "FI": _r((_OSS_START, "24.00"), (date(2024, 9, 1), "25.50")),
    "FR": FR_STANDARD_RATES,
    "GR": _r((_OSS_START, "24.00")),
    "HR": _r((_OSS_START, "25.00")),
    "HU": _r((_OSS_START, "27.00")),
    "IE": _r((_OSS_START, "21.00"), (date(2021, 3, 1), "23.00")),
    "IT": _r((_OSS_START, "22.00")),
    "LT": _r((_OSS_START, "21.00")),
    "LU": _r((_OSS_START, "17.00"), (date(2023, 1, 1), "16.00"), (date(2024, 1, 1), "17.00")),
    "LV": _r((_OSS_START, "21.00")),
    "MT": _r((_OSS_START, "18.00")),
    "NL": _r((_OSS_START, "21.00")),
    "PL": _r((_OSS_START, "23.00")),
    "PT": _r((_OSS_START, "23.00")),
    "RO": _r((_OSS_START, "19.00"), (date(2025, 8, 1), "21.00")),
    "SE": _r((_OSS_START, "25.00")),
    "SI": _r((_OSS_START, "22.00")),
    "SK": _r((_OSS_START, "20.00"), (date(2025, 1, 1), "23.00")),
}
# Territories outside the EU that are inside French VAT: their buyers are invoiced as French ones, and their
# VAT numbers are French (FR prefix).
FRENCH_VAT_TERRITORIES = frozenset({"FR", "MC"})
REVERSE_CHARGE_MENTION = ("Autoliquidation — TVA due par le preneur (article 196 de la directive 2006/112/CE, "
                          "article 283-2 du CGI) / Reverse charge")
EXPORT_MENTION = "TVA non applicable — article 259-1 du CGI (preneur établi hors de l'Union européenne)"
OSS_MENTION = ("TVA {country} {rate} % — lieu d'imposition dans l'État membre du preneur non assujetti (article 259 D "
               "du CGI), déclarée au guichet unique OSS / {country} VAT, One-Stop Shop")


class InvalidVatNumberError(ApplicationError):
    code = Code.INVALID_VAT_NUMBER


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
        raise InvalidVatNumberError(_("This VAT number is not valid."), details={"vat_number": vat_number}) from exc
    prefix = vat_number_prefix(country=country)
    if not eu_vat.is_valid(number):
        raise InvalidVatNumberError(_("This VAT number is not valid."), details={"vat_number": vat_number})
    if not number.startswith(prefix):
        raise InvalidVatNumberError(_("This VAT number does not belong to country %(country)s.")
                                    % {"country": country.upper()},
                                    details={"vat_number": vat_number, "country": country})
    return number


def vat_number_prefix(*, country: str) -> str:
    """The prefix of a VAT number of `country`: Greece uses EL, Monaco's numbers are French."""
    country = country.upper()
    return {"GR": "EL", "MC": "FR"}.get(country, country)


def siren_clean(*, siren: str, country: str) -> str:
    """A French buyer's SIREN (9 digits, Luhn), printed on its invoices since the 2026 e-invoicing reform."""
    if not (siren or "").strip():
        return ""
    if country.upper() != "FR":
        raise InvalidVatNumberError(_("A SIREN only identifies French organisations."), details={"siren": siren},
                                    code=Code.INVALID_SIREN)
    try:
        return fr_siren.validate(siren)
    except ValidationError as exc:
        raise InvalidVatNumberError(_("This SIREN is not valid."), details={"siren": siren},
                                    code=Code.INVALID_SIREN) from exc


class VatRateUnknownError(ApplicationError):
    code = Code.VAT_RATE_UNKNOWN


def standard_rate(*, country: str, on: date) -> Decimal:
    """The standard VAT rate of the member state `country` in force on `on` (the last row on or before it)."""
    rows = EU_STANDARD_RATES.get(country.upper())
    if not rows:
        raise VatRateUnknownError(_("No VAT rate is on record for %(country)s.") % {"country": country},
                                  details={"country": country})
    if on < rows[0][0]:
        starts = f"{rows[0][0]:%Y-%m-%d}"
        raise VatRateUnknownError(_("The VAT rate table of %(country)s starts on %(day)s.") % {"country": country,
                                                                                               "day": starts},
                                  details={"country": country, "on": on.isoformat()})
    rate = rows[0][1]
    for since, value in rows:
        if on >= since:
            rate = value
    return rate


def fr_standard_rate(*, on: date) -> Decimal:
    return standard_rate(country="FR", on=on)


def vat_treatment(*, country: str, vat_number: str, on: date) -> VatTreatment:
    """French VAT territory (France, Monaco): French VAT. Other EU buyer with a VAT number: reverse charge;
    without one: its own country's rate on `on` (OSS). Outside the EU: 0 %."""
    country = country.upper()
    if country in FRENCH_VAT_TERRITORIES:
        return VatTreatment("fr", fr_standard_rate(on=on), "")
    if country not in EU_COUNTRIES:
        return VatTreatment("export", Decimal("0.00"), EXPORT_MENTION)
    if vat_number:
        return VatTreatment("reverse_charge", Decimal("0.00"), REVERSE_CHARGE_MENTION)
    rate = standard_rate(country=country, on=on)
    return VatTreatment("oss", rate, OSS_MENTION.format(country=country, rate=f"{rate:.2f}".replace(".", ",")))
