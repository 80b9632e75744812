"""Where a request spread over many tenants spends its extra time in PostgreSQL (issue 16 item 3; README
"Scaling the web tier"). A diagnostic, not part of `make bench`:

    .venv/bin/python bench/spread_profile.py [--tenants 1000] [--requests 3000] [--perf]

On bench/scale.py's database (`mooc_bench_scale`, made by it): the SQL of one course page and of one
course-list API request is captured for each tenant in-process, then replayed on one warmed connection with
the requests spread over 1 and over N tenants. Prints the median per request, the files of its schema one
request opens (one tenant's schema), and the backend's max_files_per_process. With --perf (Linux `perf`, run
as root) the backend is sampled during each replay and the share of its time in opening and closing files
and in reading pages from the OS is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _setup import django_setup, table
from _web import credentials_issue, tenants_ensure
from scale import ENDPOINTS

# Kernel entry points of file work, as `perf report --children` names them.
SYSCALLS = {"open": "__x64_sys_openat", "close": "__x64_sys_close", "read a page": "__x64_sys_pread64"}


def _capture(tenants) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    """Per endpoint, per tenant: the SQL of a request on a warm host cache, after a request on public."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    captured: dict[str, list[list[str]]] = {}
    for name, make in ENDPOINTS.items():
        for tenant in tenants:
            path, headers = make(tenant)
            client = Client(HTTP_HOST=tenant.host, **{f"HTTP_{k.upper()}": v for k, v in headers.items()})
            client.get(path)  # fills the host cache
            connection.set_schema_to_public()  # so that the SET search_path of a switch is captured too
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            captured.setdefault(name, []).append([q["sql"] for q in queries.captured_queries])
    connection.set_schema_to_public()
    return captured


def _perf_shares(data: Path) -> dict[str, str]:
    report = subprocess.run(["perf", "report", "-i", str(data), "--children", "--sort", "symbol", "--stdio",
                             "-g", "none"], capture_output=True, text=True, check=False).stdout
    shares = {}
    for label, symbol in SYSCALLS.items():
        found = re.search(rf"^\s*([\d.]+)%.*\b{symbol}\b", report, re.MULTILINE)
        shares[label] = f"{float(found.group(1)) if found else 0.0:.1f} %"
    return shares


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=3000, help="replayed requests per spread and endpoint")
    parser.add_argument("--perf", action="store_true", help="sample the backend with Linux perf")
    args = parser.parse_args()
    if args.perf and not shutil.which("perf"):
        parser.error("--perf needs Linux perf (Debian: linux-perf)")
    django_setup(database="mooc_bench_scale", migrate="none", seed=False)
    import psycopg2
    from django.db import connection

    tenants = tenants_ensure(count=args.tenants, prefix="scale")
    credentials_issue(tenants)
    captured = _capture(tenants)
    params = connection.get_connection_params()
    rows = []
    for name, per_tenant in captured.items():
        raw = psycopg2.connect(**params)
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("SELECT pg_backend_pid(), current_setting('max_files_per_process')")
        pid, max_files = cursor.fetchone()
        for statement in per_tenant[0]:  # public's files and the catalogue's are open from here on
            cursor.execute(statement)
        before = len(os.listdir(f"/proc/{pid}/fd")) if Path(f"/proc/{pid}/fd").exists() else None
        for statement in per_tenant[1]:  # the files of one more tenant's schema
            cursor.execute(statement)
        files = len(os.listdir(f"/proc/{pid}/fd")) - before if before is not None else "?"
        for statements in per_tenant:  # warm: every tenant once
            for statement in statements:
                cursor.execute(statement)
        medians = {}
        for spread in (1, len(per_tenant)):
            order = [per_tenant[i % spread] for i in range(args.requests)]
            random.Random(spread).shuffle(order)
            sampler = data = None
            if args.perf:
                data = Path(tempfile.mkstemp(suffix=".perf")[1])
                sampler = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-g", "-p", str(pid), "-o",
                                            str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            samples = []
            for statements in order:
                started = time.perf_counter()
                for statement in statements:
                    cursor.execute(statement)
                    if cursor.description:
                        cursor.fetchall()
                samples.append(time.perf_counter() - started)
            medians[spread] = statistics.median(samples)
            shares = {}
            if sampler is not None:
                sampler.send_signal(signal.SIGINT)
                sampler.wait()
                shares = _perf_shares(data)
                data.unlink()
            rows.append((name, spread, f"{medians[spread] * 1000:.3f}", f"{medians[spread] / medians[1]:.2f}",
                         files, max_files, *(shares.get(label, "-") for label in SYSCALLS)))
        raw.close()
    print(table(["endpoint", "tenants", "median ms", "× 1 tenant", "files per request", "max_files_per_process",
                 *(f"backend time: {label}" for label in SYSCALLS)], rows))


if __name__ == "__main__":
    main()
