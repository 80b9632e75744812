"""What bench/scale.py and bench/load.py share: many tenants made fast (a clone of the template, a
domain, a learner enrolled in a published course with two lessons), their credentials (an API token and
a signed-in session each), gunicorn started on the bench database, HTTP on loopback."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BenchTenant:
    slug: str
    host: str
    schema: str
    course_slug: str
    lesson_id: int
    token: str = ""
    session: str = ""


def _content_ensure(slug: str) -> tuple[str, int]:
    """In the current schema: a learner (no password: sessions and tokens are made directly), a
    published course with a module and two lessons, the learner enrolled. Returns (course slug, lesson id)."""
    from courses import services
    from courses.models import Course, Lesson
    from mooc_platform.accounts.models import User

    course = Course.objects.filter(slug="bench-course").first()
    if course is None:
        author = User.objects.create(email=f"author@{slug}.test", full_name="Bench Author",
                                     role=User.Role.INSTRUCTOR)
        course = services.course_create(actor=author, title=f"Bench course of {slug}", slug="bench-course",
                                        summary="A course for the benchmarks.", status=Course.Status.PUBLISHED)
        Course.objects.filter(pk=course.pk).update(status=Course.Status.PUBLISHED)
        module = services.module_create(course=course, title="Start")
        for n in (1, 2):
            services.lesson_create(module=module, title=f"Lesson {n}", kind="text",
                                   body_markdown=f"# Lesson {n}\n\nSome *text* to render.")
        learner = User.objects.create(email=f"learner@{slug}.test", full_name="Bench Learner",
                                      role=User.Role.LEARNER)
        services.enrollment_create(course=Course.objects.get(pk=course.pk), user=learner)
    lesson = Lesson.objects.filter(module__course=course).order_by("position").first()
    return course.slug, lesson.pk


def tenants_ensure(*, count: int, prefix: str) -> list[BenchTenant]:
    """`count` tenants `<prefix>-00000`… (made once, reused by later runs), with their content."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from tenants.clone import schema_clone
    from tenants.migration import template_schema_name
    from tenants.models import Domain, Tenant

    made: list[BenchTenant] = []
    started = time.perf_counter()
    for n in range(count):
        slug = f"{prefix}-{n:05d}"
        schema = f"t_{prefix}_{n:05d}"
        host = f"{slug}.localhost"
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            with transaction.atomic():
                schema_clone(source=template_schema_name(), target=schema)
                tenant = Tenant.objects.create(slug=slug, name=f"Bench {n}", schema_name=schema)
                Domain.objects.create(domain=host, tenant=tenant, is_primary=True)
            with schema_context(schema):
                course_slug, lesson_id = _content_ensure(slug)
            if (n + 1) % 200 == 0:
                print(f"  {n + 1} tenants made ({time.perf_counter() - started:.0f} s)", flush=True)
        else:
            with schema_context(schema):
                course_slug, lesson_id = _content_ensure(slug)
        made.append(BenchTenant(slug=slug, host=host, schema=schema, course_slug=course_slug, lesson_id=lesson_id))
    connection.set_schema_to_public()
    return made


def credentials_issue(tenants: list[BenchTenant]) -> None:
    """An API token and a signed-in session for each tenant's learner."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django_tenants.utils import schema_context

    from mooc_platform.accounts.models import User
    from mooc_platform.accounts.tokens import token_issue

    for tenant in tenants:
        with schema_context(tenant.schema):
            learner = User.objects.get(email=f"learner@{tenant.slug}.test")
            tenant.token = token_issue(user=learner)[1]
            session = SessionStore()
            session[SESSION_KEY] = str(learner.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
            session.save()
            tenant.session = session.session_key
    connection.set_schema_to_public()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, env: dict[str, str], settings: str = "mooc_platform.settings.dev") -> Iterator[subprocess.Popen]:
    """gunicorn with the project's configuration (mooc_platform.gunicorn_conf) on a free loopback port
    (`env["PORT"]` is set here), serving the bench database; stopped on exit."""
    from django.db import connection

    port = free_port()
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": url, "DJANGO_DEBUG": "false",
            "HOST": "127.0.0.1", "PORT": str(port), "WEB_LOG_LEVEL": "warning", "WEB_TIMEOUT": "0",
            "PYTHONPATH": str(ROOT), **env}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:mooc_platform.gunicorn_conf",
                               "mooc_platform.wsgi:application"], cwd=ROOT, env=full)
    server.port = port  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 600  # a warm-up over 1,000 tenants takes a while on a loaded machine
        while True:
            try:
                get(port, "localhost", "/healthz")  # any answer: the server is up
                break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=60)


def get(port: int, host: str, path: str, headers: dict[str, str] | None = None,
        conn: http.client.HTTPConnection | None = None, method: str = "GET") -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers={"Host": f"{host}:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def workers_rss_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"].strip()) == server.pid:
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def postgres_backends_rss_mb(database: str) -> list[float]:
    """Resident memory of the PostgreSQL backends serving `database` (MB), read from /proc."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                       [database])
        pids = [row[0] for row in cursor.fetchall()]
    sizes = []
    for pid in pids:
        with contextlib.suppress(OSError, KeyError, ValueError):
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if ":" in line)
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)
