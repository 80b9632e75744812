"""Tenant provisioning: cloning the template schema vs replaying migrations (SPEC §5).

    .venv/bin/python bench/provisioning.py [--rounds 9]

Runs against the embedded PostgreSQL of the dev stack (or DATABASE_URL's server), in a scratch
database `mooc_bench` that it migrates first (public + template). Each round provisions one tenant
each way, interleaved (our one-round-trip clone, django-tenants' PL/pgSQL clone + faked migrate as the
peer to beat, replaying migrations), through the same `tenant_provision` service (schema, primary domain, first
administrator, audit event); only the schema step differs. "answers" adds the first request to the
new tenant's host (`GET /login/`), i.e. the time until the tenant answers on its URL. Prints medians
and the ratio, measured in the same run; the tenants are dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    django_setup(database="mooc_bench", seed=False)
    return _bench(args.rounds)


def _bench(rounds: int) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tenants import services
    from tenants.migration import template_schema_name
    from tenants.models import AuditEvent, Domain, Tenant
    from tenants.services import provisioning

    services.platform_tenant_ensure()

    def by_migrations(*, source: str, target: str) -> None:
        Tenant(schema_name=target).create_schema(check_if_exists=True, sync_schema=True, verbosity=0)

    def by_stock_clone(*, source: str, target: str) -> None:
        """django-tenants' own way (TENANT_CREATION_FAKES_MIGRATIONS): PL/pgSQL clone, then faked migrate."""
        from django_tenants.clone import CloneSchema

        CloneSchema().clone_schema(source, target, "DATA", set_connection=False)
        call_command("migrate_schemas", tenant=True, fake=True, schema_name=target, interactive=False, verbosity=0)

    clone = provisioning.schema_clone
    made: list[Tenant] = []
    ways = {"clone": clone, "stock": by_stock_clone, "migrations": by_migrations}
    timings: dict[str, list[float]] = {f"{way}{suffix}": [] for way in ways for suffix in ("", "+answer")}

    def provision(way: str) -> None:
        provisioning.schema_clone = ways[way]
        slug = f"b{way[0]}-{uuid.uuid4().hex[:8]}"
        t0 = time.perf_counter()
        tenant = services.tenant_provision(slug=slug, name=slug, admin_email=f"admin@{slug}.test", invite=False)
        t1 = time.perf_counter()
        status = Client(HTTP_HOST=f"{slug}.{settings.PLATFORM_DOMAIN}").get("/login/").status_code
        t2 = time.perf_counter()
        assert status == 200, status
        connection.set_schema_to_public()
        timings[way].append(t1 - t0)
        timings[f"{way}+answer"].append(t2 - t0)
        made.append(tenant)

    try:
        provision("clone")  # warm-up: reads the template catalogue once per process
        timings = {k: [] for k in timings}
        for _ in range(rounds):
            for way in ways:
                provision(way)
    finally:
        provisioning.schema_clone = clone
        with connection.cursor() as cursor:
            for tenant in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        AuditEvent.objects.filter(tenant__in=made).delete()
        Domain.objects.filter(tenant__in=made).delete()
        Tenant.objects.filter(pk__in=[t.pk for t in made]).delete()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                       [template_schema_name()])
        tables = cursor.fetchone()[0]
    median = {k: statistics.median(v) for k, v in timings.items()}
    print(f"\nTenant provisioning, median of {rounds} rounds ({tables} tables in the template schema)\n")
    print(f"| {'way':<22} | {'provision (s)':>13} | {'until it answers (s)':>20} |")
    print(f"| {'-' * 22} | {'-' * 13}:| {'-' * 20}:|")
    print(f"| {'clone of the template':<22} | {median['clone']:>13.3f} | {median['clone+answer']:>20.3f} |")
    print(f"| {'django-tenants clone':<22} | {median['stock']:>13.3f} | {median['stock+answer']:>20.3f} |")
    print(f"| {'replaying migrations':<22} | {median['migrations']:>13.3f} | {median['migrations+answer']:>20.3f} |")
    print(f"\nratio clone / migrations: {median['clone'] / median['migrations']:.2f} "
          f"(until it answers: {median['clone+answer'] / median['migrations+answer']:.2f}); "
          f"target: clone <= 0.300 s -> {'met' if median['clone+answer'] <= 0.3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
