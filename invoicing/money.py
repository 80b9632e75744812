"""Money of the invoicing app: one rounding rule (STYLE 4). Business dates: `mooc_platform.business_time`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money_round(amount: Decimal) -> Decimal:
    """The one rounding rule of the platform: to the cent, half up (STYLE 4)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
