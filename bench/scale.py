"""Scale (SPEC §5): tenant request latency with 1,000 tenants in one database vs with the demo tenants
only, and `migrate_schemas` across every schema with nothing to apply, measured in the same run.

    .venv/bin/python bench/scale.py [--tenants 1000] [--requests 1000]

Runs on its own scratch database `mooc_bench_scale` (created on the embedded PostgreSQL, or on
DATABASE_URL's server when set); tenants it made before are reused, so a second run is quick.
Targets: latency with 1,000 tenants within 10 % of the small figure; migrations with nothing to apply
≤ 10 s over 1,000 tenants.
"""

from __future__ import annotations

import argparse
import time

from _setup import django_setup, median_ms, table, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    # The run times migrate_schemas over every schema itself; set-up migrates public and the template only.
    django_setup(database="mooc_bench_scale", migrate="shared", seed=False)
    from mooc_platform.demo import demo_data_ensure
    from tenants.migration import template_schema_migrate

    template_schema_migrate()
    demo_data_ensure()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from mooc_platform.accounts.models import User
    from mooc_platform.accounts.tokens import token_issue
    from tenants.models import Tenant
    from tenants.services import tenant_provision

    demo = Tenant.objects.get(slug="demo")
    with schema_context(demo.schema_name):
        token = token_issue(user=User.objects.get(email="admin@demo.test"))[1]
    headers = {"HTTP_HOST": demo.get_primary_domain().domain, "HTTP_AUTHORIZATION": f"Token {token}"}
    client = Client()

    def one() -> None:
        assert client.get("/api/v1/courses/", **headers).status_code == 200

    existing = Tenant.objects.filter(slug__startswith="scale-").count()
    small = None
    if existing == 0:
        small = median_ms(timed(one, repeat=args.requests))
    connection.set_schema_to_public()
    started = time.perf_counter()
    for n in range(existing, args.tenants):
        tenant_provision(slug=f"scale-{n:05d}", name=f"Scale {n}", admin_email=f"admin@scale-{n}.test",
                         invite=False)
        connection.set_schema_to_public()
        if (n + 1) % 100 == 0:
            print(f"  {n + 1} tenants provisioned", flush=True)
    created_in = time.perf_counter() - started
    connection.set_schema_to_public()
    count = Tenant.objects.exclude(schema_name="public").count()
    large = median_ms(timed(one, repeat=args.requests))

    started = time.perf_counter()
    call_command("migrate_schemas", executor="multiprocessing", verbosity=0)
    migrate_seconds = time.perf_counter() - started

    rows = [("tenant API list, demo tenants only", f"{small:.3f} ms" if small else "(reused database)", "1.00"),
            (f"tenant API list, {count} tenants", f"{large:.3f} ms", f"{large / small:.2f}" if small else "-"),
            (f"migrate_schemas, nothing to apply, {count} tenants + template", f"{migrate_seconds:.1f} s", "-"),
            (f"provisioning of {args.tenants - existing} new tenants", f"{created_in:.1f} s", "-")]
    print(table(["measure", "value", "× small"], rows))
    print("targets: latency within 1.10 × small; migrate_schemas with nothing to apply ≤ 10 s")


if __name__ == "__main__":
    main()
