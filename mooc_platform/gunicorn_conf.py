"""gunicorn's settings for every environment: `make run` (the Procfile) and the production image run
`gunicorn -c python:mooc_platform.gunicorn_conf mooc_platform.wsgi:application` (issue 16 item 2).

Everything comes from the environment:

| variable | default | meaning |
| --- | --- | --- |
| `HOST`, `PORT` | 127.0.0.1, 8000 | where it listens (`HOST=0.0.0.0` in a container) |
| `WEB_WORKERS` | 2 | worker processes |
| `WEB_THREADS` | 4 | threads per worker (gthread); 1 = the sync worker |
| `WEB_RELOAD` | false | restart workers when a source file changes (`make run` sets it) |
| `WEB_TIMEOUT` | 30 | seconds a request may take before its worker is restarted (0 = never) |
| `WEB_MAX_REQUESTS` | 0 | recycle a worker after this many requests (± 10 %) |
| `WEB_PREWARM_TENANTS` | 0 | at worker start, warm each thread's connection on this many tenant schemas |

`WEB_MAX_REQUESTS` bounds the memory of a worker's database connections, at the price of cold ones;
`WEB_PREWARM_TENANTS` is `mooc_platform.warmup` (README, "Scaling the web tier").

Database connections: Django keeps one per thread for `DB_CONN_MAX_AGE` seconds (health-checked
before reuse), so a web process holds at most WEB_THREADS of them and the web tier
WEB_WORKERS × WEB_THREADS per replica; `pgbouncer` in session mode can sit in front (README).
"""

from __future__ import annotations

import os

from gunicorn.workers.base import Worker


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _bool(name: str) -> bool:
    return (os.environ.get(name) or "").lower() in {"1", "true", "yes", "on"}


bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
workers = _int("WEB_WORKERS", 2)
threads = _int("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
reload = _bool("WEB_RELOAD")
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = 20
max_requests = _int("WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# The reverse proxy (or the Ingress) in front sets X-Forwarded-*; which of them is believed for the
# client address is Django's decision (TRUSTED_PROXY_IPS, mooc_platform.http.client_ip).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")


def post_worker_init(worker: Worker) -> None:
    """Warm this worker's database connections before it takes requests (WEB_PREWARM_TENANTS)."""
    count = _int("WEB_PREWARM_TENANTS", 0)
    if count <= 0:
        return
    from mooc_platform.warmup import connections_warm

    pool = getattr(worker, "tpool", None)  # the gthread worker's request threads
    connections_warm(tenants=count, threads=threads if pool is not None else 1, pool=pool)


def child_exit(server: object, worker: Worker) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (metrics added up over the workers), forget a dead worker's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
