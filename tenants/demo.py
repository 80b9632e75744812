"""Demo data of the tenants app (SPEC §4): the platform tenant, the demo operator, the tenants `demo`
and `acme`. One part of `seed_demo` (settings.DEMO_SEEDERS, composed by `mooc_platform.demo`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mooc_platform.accounts.models import User
from mooc_platform.demo import demo_user_ensure

from .models import Tenant
from .services import platform_tenant_ensure, tenant_provision

# SPEC §4: `demo` speaks English and `acme` French, so both languages are always on show.
DEMO_TENANTS = {"demo": ("Demo University", "en"), "acme": ("ACME Corporate Academy", "fr")}


def demo_seed(*, demo: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create what is missing; puts the demo tenants by slug in `demo["tenants"]`. Idempotent."""
    platform_tenant_ensure()
    demo_user_ensure(email="operator@demo.test", role=User.Role.OPERATOR, full_name="Olivia Operator",
                     is_staff=True, is_superuser=True)
    log("operator@demo.test ready")
    tenants: dict[str, Tenant] = {}
    for slug, (name, language) in DEMO_TENANTS.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            log(f"provisioning tenant {slug} …")
            tenant = tenant_provision(slug=slug, name=name, admin_email=f"admin@{slug}.test",
                                      admin_full_name="Ada Admin", language=language)
        elif tenant.language != language:  # demo data seeded before the tenant's language was set
            Tenant.objects.filter(pk=tenant.pk).update(language=language)
            tenant.language = language
        tenants[slug] = tenant
    demo["tenants"] = tenants
