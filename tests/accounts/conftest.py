"""Accounts tests provision fresh tenants like the tenants tests do."""

from tests.tenants.conftest import make_tenant

__all__ = ["make_tenant"]
