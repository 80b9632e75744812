"""What a migration worker process runs. No Django import at module level: a spawned worker
unpickles these functions before Django is set up (`worker_init` sets it up)."""

from __future__ import annotations

import contextlib
import io
import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SchemaResult:
    schema_name: str
    ok: bool
    applied: int
    seconds: float
    error: str = ""
    output: str = ""


def worker_init(settings_module: str, database: dict) -> None:
    """Start Django in a spawned worker, on the very database of the parent (a test database too)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"].update(database)
    connections["default"].settings_dict.update(database)


def _migrate_options(verbosity: int) -> dict:
    from django_tenants.utils import get_tenant_base_migrate_command_class

    command = get_tenant_base_migrate_command_class()()
    parser = command.create_parser("manage.py", "migrate")
    options = vars(parser.parse_args(["--noinput", f"--verbosity={verbosity}"]))
    options["skip_checks"] = True
    return options


def schema_migrate(schema_name: str, verbosity: int = 1, allow_atomic: bool = False) -> SchemaResult:
    """Run the migrations of one schema through django-tenants' `run_migrations`; never raises."""
    from django.db import connection
    from django_tenants.migration_executors.base import run_migrations

    started = time.monotonic()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            run_migrations((), _migrate_options(verbosity), "migrate_in_window", schema_name,
                           allow_atomic=allow_atomic)
    except Exception as exc:  # a failed schema is reported, the others go on
        connection.set_schema_to_public()
        return SchemaResult(schema_name, False, out.getvalue().count("Applying "), time.monotonic() - started,
                            error=f"{type(exc).__name__}: {exc}"[:500], output=out.getvalue()[-2000:])
    return SchemaResult(schema_name, True, out.getvalue().count("Applying "), time.monotonic() - started,
                        output=out.getvalue()[-2000:])
