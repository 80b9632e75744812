"""Scale (SPEC §5, issue 16 item 3): the tenant API and a course page through gunicorn on loopback,
with the requests spread over 1, 100 and 1,000 tenants of one database, and the queries per request.

    .venv/bin/python bench/scale.py [--tenants 1000] [--requests 1000] [--rounds 5]

Runs on its own scratch database `mooc_bench_scale` (embedded PostgreSQL, or DATABASE_URL's server):
public, the template and N tenants cloned from it, each with a learner enrolled in a published course
(made once, reused by later runs). gunicorn runs with the project's configuration
(mooc_platform.gunicorn_conf: 2 workers × 4 threads), twice: as configured by default, and with
WEB_PREWARM_TENANTS=N (each thread's connection reads the hot tables of every tenant before serving).
For each endpoint: two warm-up requests per tenant, then R requests per spread in a random order (a new
HTTP connection each, as from many clients), the spreads interleaved in 5 rounds so that a slow spell of the
machine falls on all of them alike; medians and p95 in ms. Target: 1,000 tenants ≤ 1.10 × 1 tenant.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from _setup import django_setup, results_write, table
from _web import BenchTenant, credentials_issue, get, gunicorn, postgres_backends_rss_mb, tenants_ensure

ENDPOINTS = {
    "API GET /api/v1/courses/": lambda t: ("/api/v1/courses/", {"Authorization": f"Token {t.token}"}),
    "page GET /courses/<slug>/": lambda t: (f"/courses/{t.course_slug}/", {"Cookie": f"sessionid={t.session}"}),
}


def _queries_per_request(tenants: list[BenchTenant]) -> list[tuple]:
    """In-process (Django's test client, same code path): the queries of a request on the tenant of
    the previous request, and on another tenant (both hosts already in the host cache, as in a warm worker)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    a, b = tenants[0], tenants[1]
    for name, make in ENDPOINTS.items():
        counts = []
        for tenant in (a, b):  # fill the host cache
            path, headers = make(tenant)
            Client(HTTP_HOST=tenant.host, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}).get(path)
        for previous, current in ((a, a), (a, b)):
            for tenant in (previous, current):
                path, headers = make(tenant)
                extra = {f"HTTP_{k.upper()}": v for k, v in headers.items()}
                with CaptureQueriesContext(connection) as captured:
                    status = Client(HTTP_HOST=tenant.host, **extra).get(path).status_code
                assert status == 200, (name, status)
            counts.append(len(captured))
        rows.append((name, counts[0], counts[1]))
    connection.set_schema_to_public()
    return rows


def _warm(port: int, tenants: list[BenchTenant], endpoint: str) -> None:
    """Two requests per tenant: both workers usually see each host once before the timing."""
    make = ENDPOINTS[endpoint]
    for tenant in tenants + tenants:
        path, headers = make(tenant)
        status, body = get(port, tenant.host, path, headers)
        assert status == 200, (tenant.host, path, status, body[:200])


def _sample(port: int, tenants: list[BenchTenant], endpoint: str, requests: int, seed: int) -> list[float]:
    """`requests` timed requests spread over `tenants` in a random order, a new HTTP connection each (as from
    many clients)."""
    make = ENDPOINTS[endpoint]
    order = [tenants[i % len(tenants)] for i in range(requests)]
    random.Random(seed).shuffle(order)
    samples = []
    for tenant in order:
        path, headers = make(tenant)
        started = time.perf_counter()
        status, _ = get(port, tenant.host, path, headers)
        samples.append(time.perf_counter() - started)
        assert status == 200
    return samples


def _measure(port: int, tenants: list[BenchTenant], endpoint: str, spreads: list[int], requests: int,
             rounds: int) -> dict[int, list[float]]:
    """The spreads interleaved: `rounds` rounds, each timing requests/rounds requests of every spread in a
    rotating order, so that a slow spell of the machine falls on all of them alike."""
    samples: dict[int, list[float]] = {spread: [] for spread in spreads}
    for n in range(rounds):
        for spread in spreads[n % len(spreads):] + spreads[:n % len(spreads)]:
            samples[spread] += _sample(port, tenants[:spread], endpoint, requests // rounds, seed=n)
    return samples


def _p(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] * 1000 if len(samples) > 1 else samples[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per spread and endpoint")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds they are split into")
    args = parser.parse_args()
    django_setup(database="mooc_bench_scale", migrate="shared", seed=False)
    from django.db import connection

    from tenants.migration import template_schema_migrate

    template_schema_migrate()
    started = time.perf_counter()
    tenants = tenants_ensure(count=args.tenants, prefix="scale")
    credentials_issue(tenants)
    print(f"{len(tenants)} tenants ready in {time.perf_counter() - started:.0f} s", flush=True)
    query_rows = _queries_per_request(tenants)
    spreads = sorted({1, min(100, len(tenants)), len(tenants)})
    rows = []
    variants = {"gunicorn 2×4, defaults": {},
                f"gunicorn 2×4, WEB_PREWARM_TENANTS={len(tenants)}": {"WEB_PREWARM_TENANTS": str(len(tenants))}}
    memory = []
    for variant, env in variants.items():
        with gunicorn(env=env) as server:
            for endpoint in ENDPOINTS:
                _warm(server.port, tenants, endpoint)
                samples = _measure(server.port, tenants, endpoint, spreads, args.requests, args.rounds)
                base = statistics.median(samples[1])
                for spread in spreads:
                    median = statistics.median(samples[spread])
                    rows.append((variant, endpoint, spread, f"{median * 1000:.2f}", f"{_p(samples[spread], 95):.2f}",
                                 f"{median / base:.2f}"))
            backends = postgres_backends_rss_mb(connection.settings_dict["NAME"])
            memory.append((variant, len(backends), f"{sum(backends):.0f}", f"{max(backends, default=0):.0f}"))
    with connection.cursor() as cursor:  # the settings the spread's cost depends on (infra/SCALING.md)
        cursor.execute("SELECT current_setting('max_files_per_process'), current_setting('shared_buffers')")
        files, buffers = cursor.fetchone()
    server_settings = f"PostgreSQL: max_files_per_process = {files}, shared_buffers = {buffers}"
    text = "\n\n".join([
        table(["server", "endpoint", "tenants", "median ms", "p95 ms", "× 1 tenant"], rows),
        table(["queries per request", "same tenant as before", "another tenant"], query_rows),
        table(["server", "PostgreSQL backends", "their RSS MB", "largest MB"], memory),
        server_settings,
    ])
    print(text)
    print("target: 1,000 tenants ≤ 1.10 × 1 tenant; queries per request constant")
    results_write("scale", text)


if __name__ == "__main__":
    main()
