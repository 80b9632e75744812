"""Lifecycle sweep over many tenants with nothing to do (SPEC §5: 10,000 tenants <= 5 s).

    .venv/bin/python bench/lifecycle.py [--tenants 10000]

Inserts that many Tenant rows (active, cancelled with a future paid-through date, retention far from
its end: one third each; rows only, no schemas: the sweep selects by state and dates), runs
`lifecycle_run` five times and prints the median, then deletes the rows. Scratch database
`mooc_bench` of the embedded PostgreSQL (or DATABASE_URL's server)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10_000)
    args = parser.parse_args()
    from mooc_platform import devstack

    stop = None
    if not os.environ.get("DATABASE_URL"):
        server = devstack.postgres_ensure(database="mooc_bench")
        os.environ["DATABASE_URL"], stop = server.url, server.stop
    os.environ["DJANGO_SETTINGS_MODULE"] = "mooc_platform.settings.test"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        from tenants.models import Tenant
        from tenants.services import lifecycle_run

        call_command("migrate_schemas", executor="standard", interactive=False, verbosity=0)
        now = timezone.now()
        states = [
            {"state": "active"},
            {"state": "cancelled", "access_ends_at": now + timedelta(days=40),
             "retention_ends_at": now + timedelta(days=220)},
            {"state": "retention", "access_ends_at": now - timedelta(days=10),
             "retention_ends_at": now + timedelta(days=170)},
        ]
        rows = [Tenant(schema_name=f"bench_{n}", slug=f"bench-{n}", name=f"Bench {n}", **states[n % 3])
                for n in range(args.tenants)]
        Tenant.objects.bulk_create(rows, batch_size=2000)
        try:
            lifecycle_run(now=now)  # warm-up
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                report = lifecycle_run(now=now)
                samples.append(time.perf_counter() - start)
                assert report.lines()[1:] == ["nothing to do"], report.lines()
        finally:
            Tenant.objects.filter(slug__startswith="bench-").delete()
        median = statistics.median(samples)
        print(f"\nlifecycle sweep, {args.tenants} tenants, nothing to do: median {median * 1000:.1f} ms "
              f"(target <= 5000 ms -> {'met' if median <= 5 else 'NOT met'})")
        return 0
    finally:
        if stop is not None:
            stop()


if __name__ == "__main__":
    sys.exit(main())
