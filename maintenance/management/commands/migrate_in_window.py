"""`manage.py migrate_in_window [--force] [--parallel N]`: migrate every schema during a maintenance
window (SPEC R18, runbook infra/runbooks/maintenance.md), with a report line per schema."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from maintenance.migration import schemas_migrate, schemas_to_migrate, windows_in_force_all_tenants
from mooc_platform.audit import audit_record


class Command(BaseCommand):
    help = "Run migrate_schemas over public, the template schema and every tenant, inside a maintenance window."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="Run even though no maintenance window is in force (all schemas).")
        parser.add_argument("--parallel", type=int, default=min(4, os.cpu_count() or 1),
                            help="Tenant schemas migrated at once (default: min(4, CPUs)).")

    def handle(self, *args: Any, force: bool = False, parallel: int = 1, **options: Any) -> None:
        now = timezone.now()
        windows = windows_in_force_all_tenants(now=now)
        if not windows and not force:
            raise CommandError(
                "No maintenance window is in force: migrations run inside a window (GCS art. 8). "
                "Schedule one, or pass --force for an emergency."
            )
        sequential, in_parallel = schemas_to_migrate(windows=None if force and not windows else windows)
        if windows:
            self.stdout.write("Windows in force: " + ", ".join(
                f"#{w.id} {w.scope} until {w.end.isoformat()}" for w in windows))
        else:
            self.stdout.write(self.style.WARNING("No window in force: forced run over every schema."))
        results = schemas_migrate(sequential=sequential, parallel=in_parallel, processes=max(1, parallel))
        failed = [r for r in results if not r.ok]
        for result in results:
            status = self.style.SUCCESS("ok") if result.ok else self.style.ERROR("FAILED")
            line = f"{result.schema_name:<40} {status:<6} applied={result.applied:<3} {result.seconds:6.2f}s"
            self.stdout.write(line + (f"  {result.error}" if result.error else ""))
        self.stdout.write(f"{len(results)} schema(s): {len(results) - len(failed)} ok, {len(failed)} failed.")
        audit_record(action="maintenance.migrations_run", after={
            "forced": bool(force and not windows), "window_ids": [w.id for w in windows],
            "schemas": len(results), "failed": [r.schema_name for r in failed],
            "applied": sum(r.applied for r in results),
        })
        if failed:
            raise CommandError(f"{len(failed)} schema(s) failed: {', '.join(r.schema_name for r in failed)}")
