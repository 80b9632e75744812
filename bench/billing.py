"""Billing run over 10,000 subscriptions (SPEC §5 batch work: ≤ 60 s, and idempotent).

    .venv/bin/python bench/billing.py [--subscriptions 10000] [--batch-size 500]

Runs on a scratch database `mooc_bench_billing` of the embedded PostgreSQL (or of DATABASE_URL's
server when set), migrated for the shared apps only: the subscriptions' tenants are rows without
schemas, which is all billing touches. The bench creates its subscriptions in bulk (a few INSERTs),
times a first billing run (10,000 invoices), a second run (must issue nothing) and a dunning run,
checks that the numbers have no gap and no duplicate; then kills a worker process (SIGKILL) in the
middle of a run over 3,000 more subscriptions, restarts, and checks again (SPEC §5 robustness).
It prints a table, then empties the invoicing tables
of the scratch database (never run it against a database whose invoices matter).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup, results_write, table

PARIS = ZoneInfo("Europe/Paris")


def tables_to_empty() -> list[str]:
    """Every invoicing table but the catalogue (plans, prices, terms, series), and every table of the public schema
    that refers to them (claims, say), read from the models so that a table added later is emptied too: TRUNCATE
    refuses to leave a referencing table behind."""
    from django.apps import apps
    from django.db import connection

    from invoicing.models import InvoiceSeries, Plan, PlanPrice, TermsVersion
    from tenants.models import Tenant

    kept = {Plan, PlanPrice, TermsVersion, InvoiceSeries}
    emptied = {model for model in apps.get_app_config("invoicing").get_models() if model not in kept}
    public_tables = set(connection.introspection.table_names())
    public_models = [model for model in apps.get_models() if model._meta.db_table in public_tables]
    while more := {model for model in public_models if model not in emptied and any(
            field.related_model in emptied for field in model._meta.concrete_fields if field.is_relation)}:
        emptied |= more
    if Tenant in emptied:
        raise RuntimeError("the billing bench would empty the tenants table")
    return sorted(model._meta.db_table for model in emptied)


def cleanup(prefix: str) -> None:
    """Empty the invoicing tables of the scratch database (issued invoices cannot be deleted row by row:
    the database refuses it), then delete the bench's tenant rows and plan."""
    from django.db import connection

    from invoicing.models import Plan
    from tenants.models import AuditEvent, Tenant

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables_to_empty())}")
    tenants = Tenant.objects.filter(slug__startswith=f"{prefix}-")
    AuditEvent.objects.filter(tenant__in=tenants).delete()
    tenants.delete()
    for plan in Plan.objects.filter(code=f"{prefix}-plan"):
        plan.prices.all().delete()
        plan.delete()


def killed_worker_scenario(*, args: argparse.Namespace, prefix: str, plan: object) -> list[list[object]]:
    """SPEC §5 robustness: a worker killed (SIGKILL) in the middle of a billing run, then a new run.
    The killed run's open batch is rolled back by PostgreSQL, numbers included: no gap, no duplicate."""
    import signal
    import subprocess

    from invoicing import services
    from invoicing.demo import subscriptions_bulk_create
    from invoicing.models import Invoice, InvoiceSeries

    count = args.kill_subscriptions
    subscriptions_bulk_create(count=count, plan=plan, anchor_date=date(2026, 1, 1), prefix=prefix)
    series = InvoiceSeries.objects.filter(prefix="F").first()
    before = series.last_number if series else 0
    mine = Invoice.objects.filter(tenant__slug__startswith=f"{prefix}-")
    child = subprocess.Popen([sys.executable, __file__, "--child-run", "--batch-size", "100",
                              "--database", args.database], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while mine.count() < count // 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    issued_before_kill = mine.count()
    start = time.perf_counter()
    finish = services.billing_run(now=datetime(2026, 1, 1, 6, tzinfo=PARIS), batch_size=args.batch_size)
    elapsed = time.perf_counter() - start
    sequences = list(mine.order_by("sequence").values_list("sequence", flat=True))
    ok = (sequences == list(range(before + 1, before + 1 + count))
          and mine.values("subscription").distinct().count() == count)
    return [
        ["worker killed (SIGKILL) mid-run: invoices kept", issued_before_kill, "-", "-"],
        ["restarted run finishes", finish.invoices_issued, f"{elapsed:.2f}", "-"],
        ["after kill + restart: gapless, no duplicate", len(set(sequences)), "-", "OK" if ok else "GAP/DUPLICATE"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database", default="mooc_bench_billing")
    parser.add_argument("--kill-subscriptions", type=int, default=3_000,
                        help="Size of the second scenario: a run killed with SIGKILL half-way, then restarted.")
    parser.add_argument("--child-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(database=args.database, migrate="shared", seed=False)
    if args.child_run:  # the worker that gets killed
        from invoicing import services

        services.billing_run(now=datetime(2026, 1, 1, 6, tzinfo=PARIS), batch_size=args.batch_size)
        return

    from decimal import Decimal

    from invoicing import services
    from invoicing.demo import subscriptions_bulk_create
    from invoicing.models import BillingPeriod, Invoice, InvoiceSeries

    prefix = "benchbill"
    cleanup(prefix)
    plan = services.plan_create(code=f"{prefix}-plan", name="Bench", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50,
                                now=datetime(2020, 1, 1, tzinfo=PARIS))
    rows: list[list[object]] = []
    try:
        start = time.perf_counter()
        subscriptions_bulk_create(count=args.subscriptions, plan=plan, anchor_date=date(2026, 1, 1), prefix=prefix)
        rows.append(["create subscriptions (bulk)", args.subscriptions, f"{time.perf_counter() - start:.2f}", "-"])

        series = InvoiceSeries.objects.filter(prefix="F").first()
        before = series.last_number if series else 0
        now = datetime(2026, 1, 1, 6, tzinfo=PARIS)

        start = time.perf_counter()
        first = services.billing_run(now=now, batch_size=args.batch_size)
        elapsed = time.perf_counter() - start
        rows.append(["billing run 1 (invoices issued)", first.invoices_issued, f"{elapsed:.2f}",
                     "OK" if elapsed <= 60 and first.invoices_issued == args.subscriptions else "MISSED"])

        start = time.perf_counter()
        second = services.billing_run(now=now, batch_size=args.batch_size)
        elapsed = time.perf_counter() - start
        rows.append(["billing run 2 (idempotent)", second.invoices_issued, f"{elapsed:.2f}",
                     "OK" if second.invoices_issued == 0 else "DUPLICATES"])

        start = time.perf_counter()
        dunning = services.dunning_run(now=now)
        rows.append(["dunning run (nothing due)", dunning.reminders + dunning.formal_notices,
                     f"{time.perf_counter() - start:.2f}", "-"])

        sequences = list(Invoice.objects.filter(tenant__slug__startswith=f"{prefix}-")
                         .order_by("sequence").values_list("sequence", flat=True))
        gapless = sequences == list(range(before + 1, before + 1 + args.subscriptions))
        rows.append(["numbers gapless, no duplicate", len(set(sequences)), "-", "OK" if gapless else "GAP"])
        cleanup(prefix)

        rows += killed_worker_scenario(args=args, prefix=f"{prefix}k", plan=services.plan_create(
            code=f"{prefix}k-plan", name="Bench", billing_period=BillingPeriod.MONTHLY,
            flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50,
            now=datetime(2020, 1, 1, tzinfo=PARIS)))
    finally:
        cleanup(prefix)
        cleanup(f"{prefix}k")

    text = (f"Billing run over {args.subscriptions:,} monthly subscriptions, batches of {args.batch_size} "
            f"(target: run 1 ≤ 60 s; run 2 issues nothing); then {args.kill_subscriptions:,} more with the worker "
            "killed half-way\n\n" + table(["step", "rows", "seconds", "check"], rows))
    print(f"\n{text}")
    results_write("billing", text)


if __name__ == "__main__":
    main()
