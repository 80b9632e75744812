"""Tenant provisioning: cloning the template schema vs replaying migrations (SPEC §5), and on Citus.

    .venv/bin/python bench/provisioning.py [--rounds 9]
    .venv/bin/python bench/provisioning.py --citus [--rounds 9]   # one PostgreSQL vs a 3-node Citus cluster

Runs against the embedded PostgreSQL of the dev stack (or DATABASE_URL's server), in a scratch
database `mooc_bench` that it migrates first (public + template). Each round provisions one tenant
each way, interleaved (our one-round-trip clone, django-tenants' PL/pgSQL clone + faked migrate as the
peer to beat, replaying migrations), through the same `tenant_provision` service (schema, primary domain, first
administrator, audit event); only the schema step differs. "answers" adds the first request to the
new tenant's host (`GET /login/`), i.e. the time until the tenant answers on its URL. Prints medians
and the ratio, measured in the same run; the tenants are dropped at the end.

`--citus` (issue 16) measures, in the same run, the embedded PostgreSQL and the Citus cluster of
infra/citus/ (started here, database `mooc_bench` on every node, stopped at the end if started here):
the clone of the template (one round trip on PostgreSQL, statement by statement on Citus) and the pool
of pre-cloned schemas renamed on use (tenants/schema_pool.py; the pool is refilled between rounds, as
the background task does). Target: provisioning on Citus <= 0.300 s median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup, results_write


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--citus", action="store_true", help="one PostgreSQL vs the Citus cluster, same run")
    parser.add_argument("--measure-pool", action="store_true", help=argparse.SUPPRESS)  # a child of --citus
    args = parser.parse_args()
    if args.citus:
        return _citus_compare(args.rounds)
    django_setup(database="mooc_bench", seed=False)
    if args.measure_pool:
        print(json.dumps(_bench_clone_and_pool(args.rounds)))
        return 0
    return _bench(args.rounds)


def _bench_clone_and_pool(rounds: int) -> dict[str, float | str]:
    """Median seconds of `tenant_provision` (and until the tenant answers) by clone and from the pool,
    interleaved, on the database this process runs on."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tenants import schema_pool, services
    from tenants.citus import citus_enabled
    from tenants.models import AuditEvent, Domain, Tenant

    services.platform_tenant_ensure()
    made: list[Tenant] = []
    timings: dict[str, list[float]] = {"clone": [], "clone+answer": [], "pool": [], "pool+answer": []}

    def provision(way: str) -> None:
        settings.TENANT_SCHEMA_POOL_SIZE = rounds + 1 if way == "pool" else 0
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
        schema_pool.pool_refill(size=rounds + 2)  # background work, not timed
        provision("clone")  # warm-up: the template catalogue is read once per process
        provision("pool")
        timings = {k: [] for k in timings}
        for _ in range(rounds):
            provision("clone")
            provision("pool")
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for tenant in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        schema_pool.pool_refill(size=0)
        with connection.cursor() as cursor:
            for name in schema_pool.pool_schemas_ready():
                cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        AuditEvent.objects.filter(tenant__in=made).delete()
        Domain.objects.filter(tenant__in=made).delete()
        Tenant.objects.filter(pk__in=[t.pk for t in made]).delete()
    result: dict[str, float | str] = {k: statistics.median(v) for k, v in timings.items()}
    result["engine"] = "citus" if citus_enabled() else "postgresql"
    return result


def _citus_compare(rounds: int) -> int:
    """The same measurement in two child processes: the embedded PostgreSQL, then the Citus cluster."""
    root = Path(__file__).resolve().parent.parent
    cluster = [sys.executable, str(root / "infra" / "citus" / "cluster.py")]
    was_up = subprocess.run([*cluster, "status"], capture_output=True, check=False).returncode == 0
    subprocess.run([*cluster, "start", "--database", "mooc_bench"], check=True, stdout=subprocess.DEVNULL)
    citus_url = subprocess.run([*cluster, "url", "--database", "mooc_bench"], capture_output=True, text=True,
                               check=True).stdout.strip()
    results = {}
    try:
        for engine, extra in (("postgresql", {}), ("citus", {"DATABASE_URL": citus_url})):
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | extra
            out = subprocess.run([sys.executable, __file__, "--measure-pool", "--rounds", str(rounds)], env=env,
                                 capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                return 1
            results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
            assert results[engine]["engine"] == engine, results[engine]
    finally:
        if not was_up:
            subprocess.run([*cluster, "stop"], check=False)
    one, citus = results["postgresql"], results["citus"]
    lines = [f"Tenant provisioning on one PostgreSQL vs a 3-node Citus cluster (coordinator + 2 workers on "
             f"loopback), median of {rounds} rounds each, same run", "",
             f"| {'way':<40} | {'PostgreSQL (s)':>14} | {'Citus (s)':>9} | {'Citus / PostgreSQL':>18} |",
             f"| {'-' * 40} | {'-' * 13}: | {'-' * 8}: | {'-' * 17}: |"]
    labels = {"clone": "clone of the template", "pool": "pool schema renamed"}
    for way in ("clone", "pool"):
        for suffix, what in (("", "provision"), ("+answer", "until it answers")):
            key = way + suffix
            lines.append(f"| {labels[way] + ' (' + what + ')':<40} | {one[key]:>14.3f} | {citus[key]:>9.3f} | "
                         f"{citus[key] / one[key]:>18.2f} |")
    met = citus["pool+answer"] <= 0.3
    lines += ["", f"target: provisioning on Citus <= 0.300 s median -> {citus['pool']:.3f} s with the pool, "
              f"{citus['pool+answer']:.3f} s until the tenant answers: {'met' if met else 'NOT met'} "
              f"(statement-by-statement clone without the pool: {citus['clone']:.3f} s)"]
    text = "\n".join(lines)
    print(f"\n{text}")
    results_write("provisioning-citus", text)
    return 0 if met else 1


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
    text = "\n".join([
        f"Tenant provisioning, median of {rounds} rounds ({tables} tables in the template schema)", "",
        f"| {'way':<22} | {'provision (s)':>13} | {'until it answers (s)':>20} |",
        f"| {'-' * 22} | {'-' * 13}:| {'-' * 20}:|",
        f"| {'clone of the template':<22} | {median['clone']:>13.3f} | {median['clone+answer']:>20.3f} |",
        f"| {'django-tenants clone':<22} | {median['stock']:>13.3f} | {median['stock+answer']:>20.3f} |",
        f"| {'replaying migrations':<22} | {median['migrations']:>13.3f} | {median['migrations+answer']:>20.3f} |",
        "", f"ratio clone / migrations: {median['clone'] / median['migrations']:.2f} "
        f"(until it answers: {median['clone+answer'] / median['migrations+answer']:.2f}); "
        f"target: clone <= 0.300 s -> {'met' if median['clone+answer'] <= 0.3 else 'NOT met'}"])
    print(f"\n{text}")
    results_write("provisioning", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
