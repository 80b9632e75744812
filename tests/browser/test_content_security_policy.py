"""Issue 11 item 8: the main pages of every host (platform, demo in English, acme in French), signed out
and signed in, load in real Chromium with zero Content-Security-Policy violations in the console."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from courses import services
from courses.models import Branding, Course
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tests.factories import CourseFactory

PUBLIC_PAGES = ["/", "/login/", "/api/docs/", "/status/", "/console/login/", "/no-such-page/"]
TENANT_PAGES = ["/", "/login/", "/courses/", "/accounts/password-reset/", "/api/docs/", "/no-such-page/"]
SIGNED_IN_PAGES = ["/", "/manage/", "/courses/", "/my/profile/", "/my/progress/", "/my/certificates/", "/teach/",
                   "/manage/users/", "/manage/branding/", "/manage/analytics/", "/billing/"]


def _watch(page: Any) -> list[str]:
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def _visit(page: Any, base: str, paths: list[str], seen: list[str]) -> None:
    for path in paths:
        response = page.goto(base + path)
        policy = dict(part.split(" ", 1) for part in response.headers.get("content-security-policy", "").split("; "))
        assert (policy.get("script-src"), policy.get("default-src")) == ("'self'", "'self'"), (path, policy)
        page.wait_for_load_state("networkidle")
        seen.append(path)


def test_main_pages_of_every_host_raise_no_csp_violation(live_server_port: int, page: Any, demo: Any,
                                                         acme: Any) -> None:
    with schema_context(demo.schema_name):
        had_branding = Branding.objects.exists()
        services.branding_update(actor=User.objects.get(email="admin@demo.test"), primary_color="#0f766e",
                                 accent_color="#b45309")
        course = Course.objects.filter(status=Course.Status.PUBLISHED).first() or CourseFactory()
    try:
        _pages_without_violations(page, live_server_port, course)
    finally:  # committed in the tenant schema, which no flush empties
        with schema_context(demo.schema_name):
            if not had_branding:
                Branding.objects.all().delete()


def _pages_without_violations(page: Any, live_server_port: int, course: Course) -> None:
    violations = _watch(page)
    seen: list[str] = []
    _visit(page, f"http://localhost:{live_server_port}", PUBLIC_PAGES, seen)
    for slug, email in (("demo", "admin@demo.test"), ("acme", "admin@acme.test")):
        base = f"http://{slug}.localhost:{live_server_port}"
        _visit(page, base, TENANT_PAGES, seen)
        page.goto(base + "/login/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "/login/" not in page.url
        _visit(page, base, SIGNED_IN_PAGES, seen)
        if slug == "demo":
            _visit(page, base, [f"/courses/{course.slug}/", f"/teach/courses/{course.pk}/"], seen)
            css = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand')")
            assert css.strip() == "#0f766e"  # the colours come from the branding stylesheet, not an inline style
    assert len(seen) == len(PUBLIC_PAGES) + 2 * (len(TENANT_PAGES) + len(SIGNED_IN_PAGES)) + 2
    assert violations == []
