"""The customer administrators' dashboard (issue 13 item 1): every figure checked against the database on a
seeded set, the SVG chart carries the data points, each figure links to its page, the query count does not
grow with the rows, and only administrators see it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from courses import selectors
from courses.charts import line_chart
from courses.models import Course, Enrollment, MediaUpload, Post, PostReport
from invoicing.models import Invoice
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory
from tests.helpers import host_of, unique
from tests.invoicing.helpers import subscription_rows_for

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=PARIS)  # a Wednesday; no demo row falls in the twelve weeks before


def _signed_in(tenant: Tenant, email: str | None = None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=email or f"admin@{tenant.slug}.test"))
    return client


def _enrol(course: Course, user: User, *, at: datetime, completed: datetime | None = None) -> Enrollment:
    enrolment = Enrollment.objects.create(course=course, user=user)
    Enrollment.objects.filter(pk=enrolment.pk).update(created_at=at, completed_at=completed)
    return enrolment


def _seed(n: int) -> dict:
    """`n` learners in two new courses: enrolled in the week of NOW - 2 weeks (all), half of them completing the
    first course last week; one media of 3 MB in the first course; one open and one resolved report."""
    first, second = CourseFactory(quiz=False), CourseFactory(quiz=False)
    two_weeks_ago, last_week = NOW - timedelta(weeks=2), NOW - timedelta(weeks=1)
    for i in range(n):
        learner = UserFactory()
        _enrol(first, learner, at=two_weeks_ago, completed=last_week if i % 2 == 0 else None)
        _enrol(second, learner, at=two_weeks_ago)
    lesson = first.modules.get().lessons.get()
    media = MediaUpload.objects.create(key=unique("k"), purpose=MediaUpload.Purpose.VIDEO, filename="a.mp4",
                                       content_type="video/mp4", declared_size=3_000_000, size=3_000_000,
                                       confirmed_at=NOW)
    lesson.media = media
    lesson.save(update_fields=["media"])
    post = Post.objects.create(course=first, author=first.created_by, body="hello")
    PostReport.objects.create(post=post, reporter=first.created_by, reason="spam")
    PostReport.objects.create(post=post, reporter=first.created_by, reason="old", resolved_at=NOW)
    return {"first": first, "second": second}


@time_machine.travel(NOW, tick=False)
def test_every_figure_matches_the_database_and_links_to_its_page(demo) -> None:
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=7_500_000, storage_quota_bytes=10_000_000)
    subscription_rows_for(demo, anchor=date(2031, 1, 15))
    with schema_context(demo.schema_name):
        seeded = _seed(4)
        # an invited user: holds a seat, is no active seat
        UserFactory(password=make_password(None))
        members = User.objects.filter(is_active=True).exclude(role=User.Role.OPERATOR)
        taken = members.count()
        active = members.exclude(password__startswith="!").count()
        Tenant.objects.filter(pk=demo.pk).update(seat_limit=taken + 1)
        figures = selectors.dashboard_figures(now=NOW)
        per_course = {row["lesson__module__course"]: row["s"] for row in MediaUpload.objects.filter(
            lesson__isnull=False, confirmed_at__isnull=False).values("lesson__module__course").annotate(s=Sum("size"))}
        rates = {c.pk: (c.enrollments.count(), c.enrollments.filter(completed_at__isnull=False).count())
                 for c in Course.objects.filter(enrollments__isnull=False).distinct()}
        open_reports = PostReport.objects.filter(resolved_at__isnull=True).count()
    assert (figures.seats.used, figures.seats.limit, figures.seats_active, figures.seats_invited) == (
        taken, taken + 1, active, taken - active)
    assert figures.seats.warning  # one seat left
    assert (figures.storage.used, figures.storage.limit, figures.storage.percent, figures.storage.warning) == (
        7_500_000, 10_000_000, 75.0, False)
    assert {course_id: size for course_id, _, size in figures.storage_by_course} == per_course
    assert per_course[seeded["first"].pk] >= 3_000_000
    assert figures.weeks[-1] == date(2031, 3, 10) and figures.weeks[0] == date(2030, 12, 23)
    assert figures.enrolments == [0] * 9 + [8, 0, 0]
    assert figures.completions == [0] * 10 + [2, 0]
    assert {r.course_id: (r.enrolled, r.completed) for r in figures.courses_by_completion} == rates
    assert [r.percent for r in figures.courses_by_completion] == sorted(
        (r.percent for r in figures.courses_by_completion), reverse=True)
    assert figures.open_reports == open_reports >= 1
    assert figures.billing == {"invoices_due_count": 0, "invoices_due_total": Decimal("0.00"),
                               "invoices_due_first": None, "renewal_on": date(2031, 1, 15), "renews": True}
    assert figures.lifecycle["state"] == "active" and figures.lifecycle["steps"][0]["key"] == "created"

    page = _signed_in(demo).get("/manage/").content.decode()
    assert f'data-testid="seats-taken">{taken}<' in page and f'data-testid="seat-limit">{taken + 1}<' in page
    assert 'data-testid="seats-warning"' in page
    assert f'data-testid="open-reports">{open_reports}<' in page
    assert 'data-testid="invoices-due">0<' in page and "Next renewal: Jan. 15, 2031." in page
    for testid, href in (("link-seats", "/manage/users/"), ("link-storage", "/timeline/"),
                         ("link-reports", "/teach/moderation/"), ("link-billing", "/billing/"),
                         ("link-activity", "/manage/analytics/"), ("link-completion", "/manage/analytics/"),
                         ("link-timeline", "/timeline/")):
        assert re.search(rf'<a href="{href}" data-testid="{testid}">', page), testid
    assert f'href="/manage/analytics/{seeded["first"].pk}/"' in page
    assert f'href="/teach/courses/{seeded["first"].pk}/"' in page
    # The chart: one circle per week and series, carrying its value.
    chart = page[page.index('data-testid="activity-chart"'):page.index("</svg>", page.index("activity-chart"))]
    enrol_values = re.findall(r'data-week="([\d-]+)" data-value="(\d+)"', chart.split('data-series="completions"')[0])
    assert len(enrol_values) == 12 and ("2031-02-24", "8") in enrol_values
    assert ("2031-03-03", "2") in re.findall(r'data-week="([\d-]+)" data-value="(\d+)"',
                                             chart.split('data-series="completions"')[1])
    assert "<script" not in chart


@time_machine.travel(NOW, tick=False)
def test_invoices_due_counts_what_is_owed_on_the_day(demo) -> None:
    subscription = subscription_rows_for(demo, anchor=date(2031, 1, 15))
    base = {"tenant": demo, "subscription": subscription, "seller": {}, "buyer": {}, "vat_scheme": "fr",
            "vat_rate": Decimal("0.00"), "total_vat": Decimal("0.00"), "issue_date": date(2031, 2, 1)}
    for sequence, (total, paid, due, status) in enumerate((
            ("120.00", "20.00", date(2031, 3, 1), Invoice.Status.ISSUED),
            ("60.00", "0.00", date(2031, 3, 12), Invoice.Status.ISSUED),  # due on the day itself
            ("999.00", "0.00", date(2031, 3, 13), Invoice.Status.ISSUED),  # not due yet
            ("50.00", "50.00", date(2031, 2, 1), Invoice.Status.PAID)), start=1):
        Invoice.objects.create(**base, number=unique("D")[:20], sequence=sequence, total_incl_tax=Decimal(total),
                               total_excl_tax=Decimal(total),
                               amount_paid=Decimal(paid), due_date=due, status=status)
    with schema_context(demo.schema_name):
        billing = selectors.dashboard_figures(now=NOW).billing
    assert (billing["invoices_due_count"], billing["invoices_due_total"], billing["invoices_due_first"]) == (
        2, Decimal("160.00"), date(2031, 3, 1))
    page = _signed_in(demo).get("/manage/").content.decode()
    assert 'data-testid="invoices-due">2<' in page and "160.00 € to pay, due since March 1, 2031." in page


def test_query_count_does_not_grow_with_the_rows(demo) -> None:
    with time_machine.travel(NOW, tick=False):
        client = _signed_in(demo)
        with schema_context(demo.schema_name):
            _seed(2)
        with CaptureQueriesContext(connection) as small:
            assert "activity-chart" in client.get("/manage/").content.decode()
        with schema_context(demo.schema_name):
            _seed(20)
        with CaptureQueriesContext(connection) as large:
            assert "activity-chart" in client.get("/manage/").content.decode()
    def counted(captured: CaptureQueriesContext) -> list[str]:  # the schema switch depends on the previous request
        return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]

    # 20 = the figures + the navigation's two badges (unread notifications, open reports; issue 14 items 8–9).
    assert len(counted(large)) == len(counted(small)) == 20


def test_only_administrators_see_the_dashboard_and_the_french_one_speaks_french(demo, acme) -> None:
    with schema_context(demo.schema_name):
        learner = UserFactory()
        instructor = UserFactory(role=User.Role.INSTRUCTOR)
    for user in (learner, instructor):
        client = Client(HTTP_HOST=host_of(demo))
        with schema_context(demo.schema_name):
            client.force_login(user)
        assert client.get("/manage/").status_code in (302, 403)
    home = _signed_in(demo).get("/").content.decode()
    assert 'href="/manage/" data-testid="home-dashboard"' in home
    page = _signed_in(acme).get("/manage/").content.decode()
    assert "Tableau de bord" in page and "Inscriptions et achèvements" in page and "Dashboard</h1>" not in page


def test_line_chart_scales_to_the_largest_value() -> None:
    days = [date(2031, 1, 6) + timedelta(weeks=i) for i in range(3)]
    chart = line_chart(days=days, series=[("a", "A", [0, 5, 2])])
    assert chart.maximum == 6
    points = chart.series[0].points
    assert [p.value for p in points] == [0, 5, 2]
    assert points[0].y == chart.bottom_y and points[0].x == chart.left and points[-1].x == chart.right_x
    assert [day for _, day in chart.labels] == [days[0], days[2]]

