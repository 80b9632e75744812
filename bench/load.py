"""Load (SPEC §5, issue 16 item 3): 50 concurrent users over 20 tenants for 60 s through gunicorn, mixed
learner journeys, against plain Django without tenancy in the same run.

    .venv/bin/python bench/load.py [--users 50] [--tenants 20] [--seconds 60]

A bounded client of our own (one thread per user, each with its keep-alive HTTP connection, as a
browser keeps one), not locust: nothing to install, and the same client measures both servers. Each
user loops over a learner's journey — the catalogue, the course page, a lesson page, the course list
API, /api/v1/me/, marking the lesson complete (a write) — with 0–200 ms of think time between requests.
"ours": the project's server (mooc_platform.gunicorn_conf, 2 workers × 4 threads), users spread over
20 tenants by host. "plain": the same server and views with the tenant router replaced by a fixed
tenant (bench/plain.py: no host lookup, no schema switch), every user on one tenant. Errors: any answer
other than 200, or no answer. RSS: the gunicorn workers at the end, and the PostgreSQL backends.
Runs on the scratch database `mooc_bench_scale` (tenants shared with bench/scale.py).
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import threading
import time

from _setup import django_setup, results_write, table
from _web import BenchTenant, credentials_issue, gunicorn, postgres_backends_rss_mb, tenants_ensure, workers_rss_mb


def _journey(tenant: BenchTenant) -> list[tuple[str, str, dict[str, str]]]:
    cookie = {"Cookie": f"sessionid={tenant.session}"}
    token = {"Authorization": f"Token {tenant.token}"}
    return [
        ("GET", "/courses/", cookie),
        ("GET", f"/courses/{tenant.course_slug}/", cookie),
        ("GET", f"/courses/{tenant.course_slug}/lessons/{tenant.lesson_id}/", cookie),
        ("GET", "/api/v1/courses/", token),
        ("GET", "/api/v1/me/", token),
        ("POST", f"/api/v1/lessons/{tenant.lesson_id}/complete/", token),
    ]


def _run(port: int, tenants: list[BenchTenant], *, users: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user(number: int) -> None:
        tenant = tenants[number % len(tenants)]
        rng = random.Random(number)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed: list[str] = []
        while time.monotonic() < stop_at:
            for method, path, headers in _journey(tenant):
                started = time.perf_counter()
                try:
                    conn.request(method, path, headers={"Host": f"{tenant.host}:{port}", **headers})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, path = 0, f"{path} {type(exc).__name__}"
                mine.append(time.perf_counter() - started)
                if status != 200:
                    failed.append(f"{status} {method} {path}")
                time.sleep(rng.uniform(0, 0.2))
                if time.monotonic() >= stop_at:
                    break
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": errors,
            "p50": statistics.median(latencies) * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    django_setup(database="mooc_bench_scale", migrate="shared", seed=False)
    from django.db import connection

    from tenants.migration import template_schema_migrate

    template_schema_migrate()
    tenants = tenants_ensure(count=args.tenants, prefix="scale")
    credentials_issue(tenants)
    database = connection.settings_dict["NAME"]
    rows = []
    results = {}
    for name, settings, env, spread in (
        ("plain Django, no tenancy (1 tenant)", "bench.plain_settings", {"BENCH_PLAIN_SCHEMA": tenants[0].schema},
         tenants[:1]),
        (f"ours, {len(tenants)} tenants", "mooc_platform.settings.dev", {}, tenants),
    ):
        with gunicorn(env=env, settings=settings) as server:
            result = _run(server.port, spread, users=args.users, seconds=args.seconds)
            rss = workers_rss_mb(server)
            backends = postgres_backends_rss_mb(database)
        results[name] = result
        rows.append((name, result["requests"], f"{result['rps']:.1f}", len(result["errors"]),
                     f"{result['p50']:.1f}", f"{result['p95']:.1f}", f"{result['p99']:.1f}",
                     " + ".join(f"{r:.0f}" for r in rss), f"{len(backends)} / {sum(backends):.0f}"))
    plain, ours = results.values()
    rows.append(("ours / plain", "-", f"{ours['rps'] / plain['rps']:.2f}", "-", f"{ours['p50'] / plain['p50']:.2f}",
                 f"{ours['p95'] / plain['p95']:.2f}", f"{ours['p99'] / plain['p99']:.2f}", "-", "-"))
    text = (f"{args.users} users, {args.seconds:.0f} s each, gunicorn 2 workers × 4 threads\n"
            + table(["server", "requests", "req/s", "errors", "p50 ms", "p95 ms", "p99 ms", "worker RSS MB",
                     "PG backends / RSS MB"], rows))
    for name, result in results.items():
        if result["errors"]:
            text += f"\n{name}: first errors: {result['errors'][:5]}"
    print(text)
    print("target: 0 errors")
    results_write("load", text)


if __name__ == "__main__":
    main()
