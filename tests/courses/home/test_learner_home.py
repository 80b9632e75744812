"""The learner's home (issue 14 item 1): continue where you left off, my courses with progress, the deadlines
coming (moved by maintenance, GCS art. 8) with an iCalendar feed per learner, the certificates earned; course
start and end dates authored on the page and the API. The clock is moved, never read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from courses import selectors, services
from courses.models import Course, Lesson
from mooc_platform.accounts.models import User
from tests.factories import CourseFactory, EnrollmentFactory, MaintenanceWindowFactory, UserFactory
from tests.helpers import host_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=PARIS)


def _client(tenant, user: User) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


def _quiz(course: Course) -> Lesson:
    return Lesson.objects.get(module__course=course, kind=Lesson.Kind.QUIZ)


def _reading(course: Course) -> Lesson:
    return Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)


def _deadline(course: Course, when: datetime) -> Lesson:
    quiz = _quiz(course)
    Lesson.objects.filter(pk=quiz.pk).update(deadline=when)
    return quiz


def test_home_continues_where_the_learner_left_off(demo) -> None:
    with schema_context(demo.schema_name), time_machine.travel(NOW, tick=False):
        learner = UserFactory(full_name="Zoé Martin")
        older, latest, untouched = (CourseFactory(title=t) for t in ("Older course", "Latest course", "Untouched"))
        for course in (older, latest, untouched):
            EnrollmentFactory(course=course, user=learner)
        services.lesson_complete(lesson=_reading(latest), user=learner, now=NOW - timedelta(days=2))
        services.lesson_complete(lesson=_reading(older), user=learner, now=NOW - timedelta(days=5))
        quiz = _quiz(latest)
        page = _client(demo, learner).get("/").content.decode()
    assert "Welcome, Zoé Martin." in page
    resume = page.split('data-testid="resume"')[1].split("</section>")[0]
    assert "Latest course" in resume and f'href="/courses/{latest.slug}/lessons/{quiz.pk}/"' in resume
    assert "50.0 %" in resume
    cards = page.split('data-testid="my-courses"')[1].split("</ul>")[0]
    assert cards.count('data-testid="my-course"') == 3
    assert "Untouched" in cards and "0.0 %" in cards and "lessons done: 1 / 2" in cards


def test_home_without_enrolment_shows_empty_states(demo) -> None:
    with schema_context(demo.schema_name):
        learner = UserFactory()
    page = _client(demo, learner).get("/").content.decode()
    assert 'data-testid="resume"' not in page
    assert "You are not enrolled in any course yet." in page and 'href="/courses/"' in page
    assert "No deadline in the next 60 days." in page
    assert "No certificate yet" in page


def test_deadlines_coming_are_the_open_ones_soonest_first_and_moved_by_maintenance(demo) -> None:
    with schema_context(demo.schema_name), time_machine.travel(NOW, tick=False):
        learner = UserFactory()
        soon, later, done, past, completed = (CourseFactory(title=t) for t in ("Soon", "Later", "Done", "Past",
                                                                                  "Completed"))
        for course in (soon, later, done, past, completed):
            EnrollmentFactory(course=course, user=learner)
        _deadline(soon, datetime(2031, 3, 15, 15, 0, tzinfo=PARIS))  # a Saturday, inside the window below
        _deadline(later, NOW + timedelta(days=5))
        quiz_done = _deadline(done, NOW + timedelta(days=1))
        _deadline(past, NOW - timedelta(hours=1))
        Course.objects.filter(pk=later.pk).update(ends_on=date(2031, 3, 20))
        Course.objects.filter(pk=completed.pk).update(ends_on=date(2031, 3, 14))
        from courses.models import Enrollment, LessonCompletion
        enrolment = Enrollment.objects.get(course=done, user=learner)
        LessonCompletion.objects.create(enrollment=enrolment, lesson=quiz_done, completed_at=NOW)
        Enrollment.objects.filter(course=completed, user=learner).update(completed_at=NOW)
        # A 12:00–18:00 window over the soon quiz's deadline (15:00) moves it to 21:00 (GCS art. 8).
        MaintenanceWindowFactory(start=datetime(2031, 3, 15, 12, 0, tzinfo=PARIS), tenants=[demo], now=NOW)
        deadlines = selectors.learner_deadlines(user=learner, now=NOW)
    assert [(d.kind, d.course.title) for d in deadlines] == [("quiz", "Soon"), ("quiz", "Later"),
                                                             ("course_end", "Later")]
    assert deadlines[0].when == datetime(2031, 3, 15, 21, 0, tzinfo=PARIS)
    assert deadlines[2].when == datetime(2031, 3, 20, 23, 59, tzinfo=PARIS)


def test_home_lists_deadlines_and_certificates_in_french_for_acme(acme) -> None:
    with schema_context(acme.schema_name), time_machine.travel(NOW, tick=False):
        learner = UserFactory(language="fr")
        course = CourseFactory(title="Chimie", quiz=False)
        quizzed = CourseFactory(title="Physique")
        EnrollmentFactory(course=course, user=learner)
        EnrollmentFactory(course=quizzed, user=learner)
        _deadline(quizzed, datetime(2031, 3, 14, 18, 30, tzinfo=PARIS))
        services.lesson_complete(lesson=_reading(course), user=learner, now=NOW)
        page = _client(acme, learner).get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    deadlines = page.split('data-testid="deadlines"')[1].split("</ul>")[0]
    assert "14 mars 2031" in deadlines and "18:30" in deadlines and "Physique" in deadlines
    assert "Mes cours" in page and "Échéances à venir" in page
    assert "Chimie" in page.split('data-testid="home-certificates"')[1]


def test_home_queries_do_not_grow_with_courses_and_deadlines(demo) -> None:
    def queries(n: int) -> int:
        with schema_context(demo.schema_name), time_machine.travel(NOW, tick=False):
            learner = UserFactory()
            for i in range(n):
                course = CourseFactory()
                EnrollmentFactory(course=course, user=learner)
                _deadline(course, NOW + timedelta(days=i + 1))
                Course.objects.filter(pk=course.pk).update(ends_on=date(2031, 4, 1))
                services.lesson_complete(lesson=_reading(course), user=learner, now=NOW)
            client = _client(demo, learner)
            with CaptureQueriesContext(connection) as captured:
                page = client.get("/").content.decode()
            assert page.count('data-testid="my-course"') == n
            return len(captured)

    assert queries(1) == queries(6)


def test_calendar_feed_lists_the_deadlines_in_the_learners_language(acme) -> None:
    with schema_context(acme.schema_name), time_machine.travel(NOW, tick=False):
        learner = UserFactory(language="fr")
        course = CourseFactory(title="Physique")
        EnrollmentFactory(course=course, user=learner)
        quiz = _deadline(course, NOW + timedelta(days=3))
        Course.objects.filter(pk=course.pk).update(ends_on=date(2031, 4, 30))
        key = selectors.calendar_key(user=learner)
        feed = Client(HTTP_HOST=host_of(acme)).get(f"/my/calendar/{learner.pk}/{key}.ics")
        page = _client(acme, learner).get("/").content.decode()
    assert feed.status_code == 200 and feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"/my/calendar/{learner.pk}/{key}.ics" in page
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    by_summary = {str(e["summary"]): e for e in events}
    assert set(by_summary) == {"Fermeture du quiz : Quiz (Physique)", "Fin du cours : Physique"}
    closing = by_summary["Fermeture du quiz : Quiz (Physique)"]
    assert closing.decoded("dtstart") == NOW + timedelta(days=3)
    assert str(closing["url"]).endswith(f"/courses/{course.slug}/lessons/{quiz.pk}/")
    assert by_summary["Fin du cours : Physique"].decoded("dtstart") == date(2031, 4, 30)


def test_calendar_feed_refuses_a_wrong_or_stale_key(acme) -> None:
    with schema_context(acme.schema_name):
        learner = UserFactory()
        other = UserFactory()
        key = selectors.calendar_key(user=learner)
    client = Client(HTTP_HOST=host_of(acme))
    assert client.get(f"/my/calendar/{other.pk}/{key}.ics").status_code == 404
    assert client.get(f"/my/calendar/{learner.pk}/{'0' * 40}.ics").status_code == 404
    with schema_context(acme.schema_name):
        learner.set_password("a new long passphrase 2031")
        learner.save()
    assert client.get(f"/my/calendar/{learner.pk}/{key}.ics").status_code == 404  # the password changed


def test_course_dates_are_authored_on_the_page_and_the_api(demo) -> None:
    with schema_context(demo.schema_name):
        instructor = UserFactory(role=User.Role.INSTRUCTOR)
        course = CourseFactory(author=instructor)
    client = _client(demo, instructor)
    fields = {"action": "update", "title": course.title, "slug": course.slug, "language": "en",
              "licence": course.licence, "visibility": course.visibility, "pass_mark": "50"}
    client.post(f"/teach/courses/{course.pk}/", {**fields, "starts_on": "2031-09-01", "ends_on": "2031-12-19"})
    with schema_context(demo.schema_name):
        course.refresh_from_db()
    assert (course.starts_on, course.ends_on) == (date(2031, 9, 1), date(2031, 12, 19))
    page = client.post(f"/teach/courses/{course.pk}/", {**fields, "starts_on": "2031-09-01",
                                                         "ends_on": "2031-08-01"}, follow=True).content.decode()
    assert "The course cannot end before it starts." in page or "The course is not valid." in page
    with schema_context(demo.schema_name):
        course.refresh_from_db()
    assert course.ends_on == date(2031, 12, 19)
    api = client.patch(f"/api/v1/courses/{course.pk}/", {"ends_on": "9999-12-31"}, content_type="application/json")
    assert api.status_code == 400 and "ends_on" in api.json()["error"]["details"]
    api = client.patch(f"/api/v1/courses/{course.pk}/", {"ends_on": None}, content_type="application/json")
    assert api.status_code == 200 and api.json()["ends_on"] is None and api.json()["starts_on"] == "2031-09-01"
