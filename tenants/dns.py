"""DNS look-ups for custom-domain verification (SPEC R1): the customer publishes a TXT record
`_mooc-verification.<domain>` holding the token we gave; nothing routes before it is found."""

from __future__ import annotations

import dns.exception
import dns.resolver

VERIFICATION_LABEL = "_mooc-verification"


def verification_record_name(*, domain: str) -> str:
    return f"{VERIFICATION_LABEL}.{domain}"


def txt_records(*, name: str, timeout: float = 3.0) -> list[str]:
    """The TXT strings published at `name`; [] when there are none or DNS does not answer."""
    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=timeout)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(record.strings).decode(errors="replace") for record in answer]
