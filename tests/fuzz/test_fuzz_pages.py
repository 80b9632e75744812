"""The second fuzzer (issue 11 item 4): every URL pattern and every HTML form of both hosts, with
hostile values, as anonymous visitors and as signed-in users → never a 5xx.

Routes are read from the urlconfs (like tests/isolation/), so a page added later is fuzzed without
editing this file; forms are read from the pages themselves (every `<form method="post">` a GET of
the route shows), and each field is filled with every hostile value in turn. The API is fuzzed by
schemathesis (tests/api/); here it gets the path parameters and query strings.

Each request runs in a savepoint rolled back after it: a request that deletes or conflicts leaves
nothing behind, and the order of requests never matters. Bounded in time: FUZZ_SECONDS."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tests.helpers import console_client, host_of
from tests.invoicing.helpers import subscription_rows_for
from tests.routes import PARAM, PLATFORM_URLCONF, TENANT_URLCONF, routes

# Per host. Forms first, then routes; on this 2-core machine both finish well within it (the test
# prints what it covered): the deadline only bounds a much slower machine.
FUZZ_SECONDS = 35

# Values an attacker would send: NUL, past 64 bits, impossible dates, year 9999, over-long strings,
# a colour with a trailing newline, non-numeric ids, markup, negative and zero numbers.
HOSTILE = ["\x00", "a\x00b", "9" * 25, "-9223372036854775809", "2026-02-30", "9999-12-31T23:59",
           "9999-12-31", "#aabbcc\n", "abc", "-1", "0", "²", "x" * 5000, "<script>alert(1)</script>",
           "' OR 1=1 --", "1e400", "NaN", " ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
# Each field of a form gets these (the others keep the page's values, so the form's branch is taken);
# then the whole form gets every value of HOSTILE at once. NUL once is enough: it is refused up front.
PER_FIELD = ["²", "9" * 25, "2026-02-30", "x" * 5000, "#aabbcc\n"]
# A path parameter gets a value its converter accepts, so the view runs: an id, or a long odd string.
PATH_VALUE = {"id": "1", "int": "1", "slug": "x" * 300, "str": "x" * 300 + "%C3%A9", "path": "x" * 300, None: "1"}
QUERY = ("?" + urlencode({"page": "9" * 25, "q": "\x00", "action": "\x00", "status": "\x00", "tenant": "9" * 25,
                          "month": "9999-99", "all": "1", "state": "x" * 300, "next": "//evil.example"}))


def _path(route: str) -> str:
    """The route with each parameter filled by a value its converter accepts (PATH_VALUE); regex
    routes of the console (`(?P<app_label>auth|…)`) get a value their pattern refuses (a 404)."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    route = route.replace("\\", "").replace("^", "").replace("$", "")
    return PARAM.sub(lambda m: PATH_VALUE.get(m.group("converter"), "1"), route)


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {field: value}) with every named field."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._current = (attributes.get("action") or "", {})
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = attributes.get("name")
            if name and attributes.get("type") != "file":
                self._current[1].setdefault(name, attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _forms(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Fuzzer:
    def __init__(self, host: str, deadline: float) -> None:
        self.host, self.deadline, self.errors, self.requests = host, deadline, [], 0
        self.forms_seen: set[str] = set()
        self.timed_out = False
        self.slowest: list[tuple[float, str, str]] = []

    def call(self, client: Client, method: str, path: str, data: dict[str, str] | None = None) -> str:
        """One request in a savepoint rolled back after it; 5xx answers are recorded. Returns the
        page's text when it is HTML."""
        self.requests += 1
        started = time.monotonic()
        savepoint = transaction.savepoint()
        try:
            response = getattr(client, method)(path, data or {}) if method == "post" else client.get(path)
        finally:
            transaction.savepoint_rollback(savepoint)
            connection.set_schema_to_public()
            self.slowest = sorted([*self.slowest, (time.monotonic() - started, method, path)])[-8:]
        if response.status_code >= 500:
            self.errors.append((self.host, method, path, {k: v[:40] for k, v in (data or {}).items()},
                                response.status_code))
        if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            return response.content.decode(errors="replace")
        return ""

    def report(self) -> None:
        print(f"{self.host}: {self.requests} requests, {len(self.forms_seen)} forms, timed out: {self.timed_out};"
              f" slowest: {[(round(t, 2), m, p) for t, m, p in self.slowest]}")

    def out_of_time(self) -> bool:
        self.timed_out = self.timed_out or time.monotonic() > self.deadline
        return self.timed_out

    def fuzz_routes(self, client: Client, routes: list[str]) -> None:
        """Every route: GET with a hostile query string, POST with a hostile form body."""
        for route in routes:
            if self.out_of_time():
                return
            path = _path(route)
            self.call(client, "get", path + QUERY)
            self.call(client, "post", path, {"id": "9" * 25, "action": "x" * 300, "user": "abc", "page": "-1"})

    def fuzz_forms(self, client: Client, pages: list[str], *, per_field: bool = True) -> None:
        """GET each page (the route filled with a real id when it has one), then POST each of its forms
        with every field set to each hostile value in turn, the other fields keeping the page's values
        (`per_field`), and with all its fields set to each value at once."""
        for page in pages:
            html = self.call(client, "get", page)
            for action, fields in _forms(html):
                target = action if action.startswith("/") else page
                key = f"{target}:{sorted(fields)}"
                if key in self.forms_seen:
                    continue
                self.forms_seen.add(key)
                token = {"csrfmiddlewaretoken": fields.pop("csrfmiddlewaretoken", "")}
                for name in fields if per_field else ():
                    for value in PER_FIELD:
                        if self.out_of_time():
                            return
                        self.call(client, "post", target, {**fields, **token, name: value})
                if fields and not self.out_of_time():
                    for value in HOSTILE[:2] + HOSTILE[4:10]:
                        self.call(client, "post", target, {**{n: value for n in fields}, **token})


def _signed_in(host: str, user: User) -> Client:
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    client.force_login(user)
    return client


def _pages_with_ids(routes: list[str], ids: dict[str, str]) -> list[str]:
    """Every page route (not the API) with its parameters filled with real values where known."""
    pages = []
    for route in routes:
        if route.startswith("/api/") or "(?P" in route:
            continue
        names = [m.group("name") for m in PARAM.finditer(route)]
        if all(name in ids for name in names):
            pages.append(PARAM.sub(lambda m: ids[m.group("name")], route))
    return pages


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Sign-in and user forms hash passwords: PBKDF2 costs a second a request on a loaded machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _quiet_request_log() -> Iterator[None]:
    """Thousands of expected 4xx answers: Django's request log would only slow the run down."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


TENANT_ROUTES = routes(TENANT_URLCONF)
PLATFORM_ROUTES = routes(PLATFORM_URLCONF)


def test_the_fuzzer_sees_every_page_and_form_route() -> None:
    assert "/courses/<slug:slug>/lessons/<id:pk>/" in TENANT_ROUTES
    assert "/certificates/verify/<str:code>/" in TENANT_ROUTES
    assert "/quotes/sign/<str:token>/" in PLATFORM_ROUTES and "/status/" in PLATFORM_ROUTES
    assert any(route.startswith("/console/") for route in PLATFORM_ROUTES)


@pytest.mark.django_db
def test_no_tenant_page_form_or_route_answers_a_server_error(demo) -> None:
    from courses.models import Course, Lesson

    host = host_of(demo)
    subscription_rows_for(demo)  # the billing pages show their forms (cancel, billing details) to the fuzzer
    fuzzer = Fuzzer(host, time.monotonic() + FUZZ_SECONDS)
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        learner = User.objects.get(email="learner1@demo.test")
        course = Course.objects.order_by("id").first()
        lesson = Lesson.objects.filter(module__course=course).order_by("id").first()
        signed_in = [_signed_in(host, admin), _signed_in(host, learner)]
    ids = {"slug": course.slug, "pk": str(lesson.pk) if lesson else "1", "code": "NOPE", "token": "nope",
           "uidb64": "MQ", "invoice_id": "1", "claim_id": "1"}
    anonymous = Client(HTTP_HOST=host, raise_request_exception=False)
    clients = [signed_in[0], anonymous, signed_in[1]]
    pages = _pages_with_ids(TENANT_ROUTES, ids)
    for client in clients:
        fuzzer.fuzz_forms(client, pages)
    for client in clients:
        fuzzer.fuzz_routes(client, TENANT_ROUTES)
    fuzzer.report()
    assert fuzzer.errors == [], "\n".join(map(str, fuzzer.errors))
    assert fuzzer.requests > 300, fuzzer.requests


@pytest.mark.django_db
def test_no_platform_page_form_or_route_answers_a_server_error(db) -> None:
    fuzzer = Fuzzer("localhost", time.monotonic() + FUZZ_SECONDS)
    # The console asks for a second factor: its client is signed in with both (tests.helpers.console_client).
    console = console_client(raise_request_exception=False)
    anonymous = Client(HTTP_HOST="localhost", raise_request_exception=False)
    ids = {"token": "nope", "code": "NOPE"}
    # Of the console, its own forms that take dates, money, slugs and ids, and the admin's add forms.
    pages = [*(p for p in _pages_with_ids(PLATFORM_ROUTES, ids) if not p.startswith("/console/")),
             "/console/maintenance-windows/new/", "/console/organisations/new/", "/console/quotes/new/",
             "/console/invoicing/quote/add/", "/console/tenants/tenant/", "/console/invoicing/payment/add/",
             "/console/invoicing/planprice/add/", "/console/claims/", "/console/claims/1/"]
    # The console (Django admin) renders heavy forms (a second each here): its add forms get the
    # whole-form values only, and its routes are fuzzed signed out (every one must redirect, not fail).
    fuzzer.fuzz_forms(anonymous, pages)
    fuzzer.fuzz_forms(console, [p for p in pages if not p.startswith("/console/")])
    fuzzer.fuzz_forms(console, [p for p in pages if p.startswith("/console/")], per_field=False)
    fuzzer.fuzz_routes(anonymous, PLATFORM_ROUTES)
    fuzzer.fuzz_routes(console, [r for r in PLATFORM_ROUTES if not r.startswith("/console/")])
    fuzzer.report()
    assert fuzzer.errors == [], "\n".join(map(str, fuzzer.errors))
    assert fuzzer.requests > 300, fuzzer.requests

