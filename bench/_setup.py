"""Shared set-up of the benchmarks (`make bench`): Django on a scratch database of the embedded
PostgreSQL (or of DATABASE_URL's server when set), timing and table helpers."""

from __future__ import annotations

import atexit
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def django_setup(*, database: str = "mooc_bench", migrate: str = "all", seed: bool = True) -> None:
    """Django on the dev settings with DEBUG off, on `database` of the embedded PostgreSQL (or of
    DATABASE_URL's server when set). `migrate`: "all" (public, template and every tenant), "shared"
    (public only) or "none"; `seed`: the demo tenants (idempotent)."""
    from mooc_platform import devstack

    if not os.environ.get("DATABASE_URL"):
        server = devstack.postgres_ensure(database=database)
        os.environ["DATABASE_URL"] = server.url
        if server.stop:  # started here: stopped when the script ends
            atexit.register(server.stop)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mooc_platform.settings.dev"
    os.environ.setdefault("DJANGO_DEBUG", "false")  # no query log: it would skew the timings
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.core.management import call_command

    if migrate != "none":
        call_command("migrate_schemas", *(["--shared"] if migrate == "shared" else []), "--executor=standard",
                     interactive=False, verbosity=0)
    if seed:
        from mooc_platform.demo import demo_data_ensure

        demo_data_ensure()


def timed(fn: Callable[[], object], *, repeat: int, warmup: int = 20) -> list[float]:
    """Wall-clock seconds of `repeat` calls of fn, after `warmup` calls."""
    import time

    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def results_write(name: str, text: str) -> Path:
    """Keep a run's table in bench/results/<name>.md (with the command and the machine's load, since
    the absolute figures depend on it; the ratios are measured in the same run)."""
    import datetime

    command = " ".join([f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])

    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n`.venv/bin/python {command}` — {when}, {os.cpu_count()} CPUs, "
                    f"load average {load}\n\n```\n{text}\n```\n")
    return path
