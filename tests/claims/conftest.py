"""Fixtures of the claims tests: a price list and quotes (a customer with real invoices)."""

from tests.invoicing.conftest import plan, quote_sent  # noqa: F401 - fixtures
