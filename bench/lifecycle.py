"""Lifecycle sweep over many tenants with nothing to do (SPEC §5: 10,000 tenants <= 5 s).

    .venv/bin/python bench/lifecycle.py [--tenants 10000]

Inserts that many Tenant rows (active, cancelled with a future paid-through date, retention far from
its end: one third each; rows only, no schemas: the sweep selects by state and dates), runs
`lifecycle_run` five times and prints the median, then deletes the rows. Scratch database
`mooc_bench` of the embedded PostgreSQL (or DATABASE_URL's server)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup, results_write


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10_000)
    args = parser.parse_args()
    django_setup(database="mooc_bench", seed=False)
    from django.utils import timezone

    from tenants.models import Tenant
    from tenants.services import lifecycle_run

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
    text = (f"lifecycle sweep, {args.tenants} tenants, nothing to do: median {median * 1000:.1f} ms "
            f"(target <= 5000 ms -> {'met' if median <= 5 else 'NOT met'})")
    print(f"\n{text}")
    results_write("lifecycle", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
