"""VIES, the EU's register of VAT numbers (SPEC R8): the optional online check of a buyer's VAT number.

`vies_query` is the client: one HTTP POST to the VIES REST API with a timeout, never raising; every way it
can fail (timeout, refused connection, HTTP error, a member state's register down, an unreadable answer)
is the answer "unavailable". `vat_number_vies_verify` is the rule: with `INVOICING_VIES_CHECK` on, it
records the consultation (`VatNumberCheck`) and refuses a number VIES says is not registered; when VIES
is unavailable the number stands on its format check alone, so billing never waits on VIES."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.errors import Code

from .models import VatNumberCheck
from .vat import InvalidVatNumberError

logger = logging.getLogger(__name__)

# VIES `userError` values meaning "ask again later", as opposed to VALID / INVALID.
_VIES_ANSWERED = {"VALID", "INVALID"}


@dataclass(frozen=True)
class ViesAnswer:
    result: str  # VatNumberCheck.Result value
    name: str = ""
    address: str = ""
    request_identifier: str = ""
    error: str = ""
    duration_ms: int = 0


def _text(value: Any) -> str:
    """VIES writes '---' for a name or address a member state does not disclose."""
    text = str(value or "").strip()
    return "" if text in {"---", "-"} else text


def vies_query(*, vat_number: str, url: str | None = None, timeout: float | None = None) -> ViesAnswer:
    """Ask VIES whether `vat_number` (compact, with its prefix: `DE136695976`) is registered.

    Never raises and never waits longer than `timeout` seconds per network operation
    (default `INVOICING_VIES_TIMEOUT_SECONDS`): any failure is `result="unavailable"` with the reason."""
    url = url or settings.INVOICING_VIES_URL
    timeout = settings.INVOICING_VIES_TIMEOUT_SECONDS if timeout is None else timeout
    if not url.startswith(("https://", "http://")):
        return ViesAnswer(VatNumberCheck.Result.UNAVAILABLE, error="INVOICING_VIES_URL is not an http(s) URL")
    body = json.dumps({"countryCode": vat_number[:2], "vatNumber": vat_number[2:]}).encode()
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - scheme checked above
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            payload = json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as exc:
        return ViesAnswer(VatNumberCheck.Result.UNAVAILABLE, error=f"HTTP {exc.code}", duration_ms=elapsed())
    except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections, unreadable JSON
        reason = getattr(exc, "reason", None) or exc
        return ViesAnswer(VatNumberCheck.Result.UNAVAILABLE, error=f"{type(exc).__name__}: {reason}"[:300],
                          duration_ms=elapsed())
    if not isinstance(payload, dict) or not isinstance(payload.get("valid"), bool):
        return ViesAnswer(VatNumberCheck.Result.UNAVAILABLE, error="unexpected answer", duration_ms=elapsed())
    user_error = str(payload.get("userError") or ("VALID" if payload["valid"] else "INVALID"))
    if user_error not in _VIES_ANSWERED:
        return ViesAnswer(VatNumberCheck.Result.UNAVAILABLE, error=user_error[:300], duration_ms=elapsed())
    return ViesAnswer(
        VatNumberCheck.Result.VALID if payload["valid"] else VatNumberCheck.Result.INVALID,
        name=_text(payload.get("name"))[:300], address=_text(payload.get("address")),
        request_identifier=str(payload.get("requestIdentifier") or "")[:64], duration_ms=elapsed(),
    )


def vat_number_vies_verify(*, vat_number: str, actor: Any = None, now: datetime | None = None
                           ) -> VatNumberCheck | None:
    """Check a cleaned VAT number against VIES when `INVOICING_VIES_CHECK` is on, and record the answer.

    Returns the record (None when the check is off or there is no number). Raises InvalidVatNumberError
    (code `vat_number_not_registered`) when VIES answers that the number is not registered; an unavailable
    VIES is recorded and lets the number through (SPEC R8: a VIES outage never blocks a quote)."""
    if not vat_number or not settings.INVOICING_VIES_CHECK:
        return None
    answer = vies_query(vat_number=vat_number)
    check = VatNumberCheck.objects.create(
        vat_number=vat_number, result=answer.result, checked_at=now or timezone.now(),
        duration_ms=answer.duration_ms, name=answer.name, address=answer.address,
        request_identifier=answer.request_identifier, error=answer.error,
        checked_by_email=getattr(actor, "email", "") or "",
    )
    if answer.result == VatNumberCheck.Result.UNAVAILABLE:
        logger.warning("VIES unavailable for %s (%s): accepted on its format", vat_number, answer.error)
    if answer.result == VatNumberCheck.Result.INVALID:
        raise InvalidVatNumberError(
            _("VIES, the EU register of VAT numbers, says this VAT number is not registered."),
            code=Code.VAT_NUMBER_NOT_REGISTERED, details={"vat_number": vat_number, "vies_check_id": check.pk})
    return check


def vat_check_attach(*, check: VatNumberCheck | None, quote: Any) -> None:
    if check is not None:
        VatNumberCheck.objects.filter(pk=check.pk).update(quote=quote)
