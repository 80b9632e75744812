"""Cohorts (issue 14 item 10): members by hand or from a CSV of e-mails (only existing active users: no seat is
taken), enrolment of every member in a course with access dates (members added later too), the course's people
list naming the cohort, notifications of enrolment, pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.models import Cohort, CohortMember, Course, Enrollment, Lesson, Notification
from courses.selectors import access
from courses.selectors.cohorts import course_people
from courses.services import cohorts as cohort_services
from courses.services.people import seats_taken
from mooc_platform.accounts.models import User
from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


@pytest.fixture
def world(demo_host, in_demo):
    instructor = UserFactory(role="instructor")
    learners = [UserFactory() for _ in range(3)]
    course = CourseFactory(author=instructor, quiz=False)
    return {"host": demo_host, "instructor": instructor, "learners": learners, "course": course}


def _page_client(host: str, user: User) -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_create_rename_delete_and_names_are_unique(world) -> None:
    actor = world["instructor"]
    cohort = cohort_services.cohort_create(name="  Promo 2026 ", actor=actor)
    assert cohort.name == "Promo 2026"
    with pytest.raises(ApplicationError):
        cohort_services.cohort_create(name="promo 2026", actor=actor)
    with pytest.raises(ApplicationError):
        cohort_services.cohort_create(name="   ", actor=actor)
    cohort_services.cohort_rename(cohort=cohort, name="Promo A", actor=actor)
    assert Cohort.objects.get(pk=cohort.pk).name == "Promo A"
    cohort_services.cohort_delete(cohort=cohort, actor=actor)
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


def test_enrolling_a_cohort_enrols_every_member_with_dates_and_tells_them(world) -> None:
    actor, course, (a, b, c) = world["instructor"], world["course"], world["learners"]
    cohort = cohort_services.cohort_create(name=unique("cohort"), actor=actor)
    cohort_services.cohort_members_add(cohort=cohort, users=[a, b], actor=actor)
    today = business_date()
    _cc, made = cohort_services.cohort_course_enrol(cohort=cohort, course=course, starts_on=today,
                                                    ends_on=today + timedelta(days=30), actor=actor)
    assert made == 2
    enrolments = Enrollment.objects.filter(course=course, cohort=cohort)
    assert {e.user_id for e in enrolments} == {a.pk, b.pk}
    assert {e.access_ends_on for e in enrolments} == {today + timedelta(days=30)}
    assert Notification.objects.filter(user__in=[a, b], kind=Notification.Kind.ENROLMENT).count() == 2
    # A member added later is enrolled with the same dates.
    cohort_services.cohort_members_add(cohort=cohort, users=[c], actor=actor)
    assert Enrollment.objects.get(course=course, user=c).cohort_id == cohort.pk
    # Enrolling again moves the dates of the cohort's enrolments, and enrols nobody twice.
    _cc, made = cohort_services.cohort_course_enrol(cohort=cohort, course=course, starts_on=None,
                                                    ends_on=today + timedelta(days=60), actor=actor)
    assert made == 0
    assert set(Enrollment.objects.filter(course=course).values_list("access_ends_on", flat=True)) == {
        today + timedelta(days=60)}
    # The people list names the cohort.
    assert {e.cohort.name for e in course_people(course=course)} == {cohort.name}


def test_the_end_date_closes_the_lessons_and_a_start_date_opens_them(world) -> None:
    actor, course, (a, b, _c) = world["instructor"], world["course"], world["learners"]
    lesson = Lesson.objects.get(module__course=course)
    today = business_date()
    ended = cohort_services.cohort_create(name=unique("ended"), actor=actor)
    cohort_services.cohort_members_add(cohort=ended, users=[a], actor=actor)
    cohort_services.cohort_course_enrol(cohort=ended, course=course, starts_on=today - timedelta(days=10),
                                        ends_on=today - timedelta(days=1), actor=actor)
    assert not access.lesson_readable(user=a, lesson=lesson)
    assert course not in access.courses_content_readable(user=a)
    enrollment = Enrollment.objects.get(course=course, user=a)
    assert access.enrollment_access_state(enrollment=enrollment) == "ended"
    from courses.services import lesson_complete

    with pytest.raises(ApplicationError) as closed:  # nor completed through the API
        lesson_complete(lesson=lesson, user=a)
    assert closed.value.code == "access_closed"
    later = cohort_services.cohort_create(name=unique("later"), actor=actor)
    cohort_services.cohort_members_add(cohort=later, users=[b], actor=actor)
    cohort_services.cohort_course_enrol(cohort=later, course=course, starts_on=today + timedelta(days=3),
                                        actor=actor)
    assert not access.lesson_readable(user=b, lesson=lesson)
    cohort_services.cohort_course_enrol(cohort=later, course=course, starts_on=today, actor=actor)
    assert access.lesson_readable(user=b, lesson=lesson)
    with pytest.raises(ApplicationError):
        cohort_services.cohort_course_enrol(cohort=later, course=course, starts_on=today,
                                            ends_on=today - timedelta(days=1), actor=actor)


def test_a_learner_enrolled_directly_keeps_open_access(world) -> None:
    actor, course, (a, _b, _c) = world["instructor"], world["course"], world["learners"]
    from courses.services import enrollment_create

    enrollment_create(course=course, user=a)
    cohort = cohort_services.cohort_create(name=unique("c"), actor=actor)
    cohort_services.cohort_members_add(cohort=cohort, users=[a], actor=actor)
    yesterday = business_date() - timedelta(days=1)
    cohort_services.cohort_course_enrol(cohort=cohort, course=course, ends_on=yesterday, actor=actor)
    enrollment = Enrollment.objects.get(course=course, user=a)
    assert enrollment.cohort_id is None and enrollment.access_ends_on is None
    assert access.lesson_readable(user=a, lesson=Lesson.objects.get(module__course=course))


def test_a_draft_course_takes_no_cohort(world) -> None:
    actor = world["instructor"]
    draft = CourseFactory(author=actor, quiz=False, publish=False)
    cohort = cohort_services.cohort_create(name=unique("c"), actor=actor)
    with pytest.raises(ApplicationError):
        cohort_services.cohort_course_enrol(cohort=cohort, course=draft, actor=actor)


def test_csv_import_adds_known_active_users_and_reports_the_others_without_taking_seats(world) -> None:
    actor, (a, b, c) = world["instructor"], world["learners"]
    c.is_active = False
    c.save(update_fields=["is_active"])
    cohort = cohort_services.cohort_create(name=unique("c"), actor=actor)
    cohort_services.cohort_members_add(cohort=cohort, users=[b], actor=actor)
    seats = seats_taken()
    users = User.objects.count()
    csv_text = (f"email;full_name\n{a.email.upper()};A\n{b.email};B\n{c.email};C\nnobody@example.org;N\n"
                f"not-an-email;X\n{a.email};again\n")
    report = cohort_services.cohort_members_import(cohort=cohort, csv_text=csv_text, actor=actor)
    assert [r.action for r in report.rows] == ["added", "already", "error", "error", "error", "error"]
    assert report.summary() == {"added": 1, "already": 1, "error": 4}
    assert set(CohortMember.objects.filter(cohort=cohort).values_list("user_id", flat=True)) == {a.pk, b.pk}
    assert User.objects.count() == users and seats_taken() == seats  # nobody created, no seat taken
    with pytest.raises(ApplicationError):
        cohort_services.cohort_members_import(cohort=cohort, csv_text="name\nx\n", actor=actor)


def test_pages_an_administrator_uses(world) -> None:
    host, course, (a, _b, _c) = world["host"], world["course"], world["learners"]
    admin = User.objects.get(email="admin@demo.test")
    client = _page_client(host, admin)
    response = client.post("/teach/cohorts/", {"name": "Équipe ventes"})
    cohort = Cohort.objects.get(name="Équipe ventes")
    assert response.status_code == 302 and response["Location"] == f"/teach/cohorts/{cohort.pk}/"
    assert "Équipe ventes" in client.get("/teach/cohorts/").content.decode()
    found = client.get(f"/teach/cohorts/{cohort.pk}/", {"q": a.email}).content.decode()
    assert a.email in found
    client.post(f"/teach/cohorts/{cohort.pk}/", {"action": "add_members", "user": [a.pk]})
    assert CohortMember.objects.filter(cohort=cohort, user=a).exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("members.csv", b"email\nghost@example.org\n", content_type="text/csv")
    page = client.post(f"/teach/cohorts/{cohort.pk}/import/", {"file": upload}).content.decode()
    assert "ghost@example.org" in page and f"/teach/cohorts/{cohort.pk}/import/report.csv" in page
    report = client.get(f"/teach/cohorts/{cohort.pk}/import/report.csv")
    assert report.status_code == 200 and b"ghost@example.org" in report.content
    today = business_date()
    client.post(f"/teach/cohorts/{cohort.pk}/", {"action": "enrol_course", "course": course.pk,
                                                 "starts_on": today.isoformat(),
                                                 "ends_on": (today + timedelta(days=7)).isoformat()})
    assert Enrollment.objects.get(course=course, user=a).cohort_id == cohort.pk
    people = client.get(f"/teach/courses/{course.pk}/people/").content.decode()
    assert a.email in people and "Équipe ventes" in people
    # Bad dates are a message, not an error page.
    response = client.post(f"/teach/cohorts/{cohort.pk}/", {"action": "enrol_course", "course": course.pk,
                                                            "starts_on": "2026-02-30"})
    assert response.status_code == 302
    assert client.get(f"/teach/cohorts/{cohort.pk}/delete/").status_code == 200
    client.post(f"/teach/cohorts/{cohort.pk}/delete/")
    assert not Cohort.objects.filter(pk=cohort.pk).exists()
    assert Enrollment.objects.filter(course=course, user=a).exists()  # the enrolment stays


def test_learners_cannot_manage_cohorts(world) -> None:
    host, (a, _b, _c) = world["host"], world["learners"]
    cohort = cohort_services.cohort_create(name=unique("c"), actor=world["instructor"])
    client = _page_client(host, a)
    assert client.get("/teach/cohorts/").status_code == 403
    assert client.post(f"/teach/cohorts/{cohort.pk}/delete/").status_code == 403
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    api = client_for(host, a.email)
    assert api.get("/api/v1/cohorts/").status_code == 403
    assert api.post("/api/v1/cohorts/", {"name": "x"}, format="json").status_code == 403


def test_api(world) -> None:
    host, course, (a, b, _c) = world["host"], world["course"], world["learners"]
    api = client_for(host, world["instructor"].email)
    response = api.post("/api/v1/cohorts/", {"name": "API cohort"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api.post("/api/v1/cohorts/", {"name": "API cohort"}, format="json").status_code == 409
    assert api.patch(f"/api/v1/cohorts/{pk}/", {"name": "API cohort 2"}, format="json").json()["name"] == \
        "API cohort 2"
    members = api.post(f"/api/v1/cohorts/{pk}/members/", {"users": [a.pk]}, format="json")
    assert members.json() == {"added": [a.pk], "members_count": 1}
    listed = api.get(f"/api/v1/cohorts/{pk}/members/").json()
    assert [m["email"] for m in listed.get("results", listed)] == [a.email]
    imported = api.post(f"/api/v1/cohorts/{pk}/import/", {"csv": f"email\n{b.email}\nx@example.org\n"},
                        format="json").json()
    assert imported["summary"] == {"added": 1, "already": 0, "error": 1}
    enrolled = api.post(f"/api/v1/cohorts/{pk}/courses/", {"course": course.pk, "ends_on": "2099-12-31"},
                        format="json")
    assert enrolled.status_code == 201 and enrolled.json()["enrolled"] == 2
    assert api.post(f"/api/v1/cohorts/{pk}/courses/", {"course": course.pk, "starts_on": "2099-12-31",
                                                       "ends_on": "2099-01-01"}, format="json").status_code == 400
    listed = api.get(f"/api/v1/cohorts/{pk}/courses/").json()
    assert [row["course"] for row in listed.get("results", listed)] == [course.pk]
    assert api.delete(f"/api/v1/cohorts/{pk}/members/{a.pk}/").status_code == 204
    assert api.delete(f"/api/v1/cohorts/{pk}/members/{a.pk}/").status_code == 404
    assert api.delete(f"/api/v1/cohorts/{pk}/").status_code == 204


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_list_pages_take_a_constant_number_of_queries(world) -> None:
    host, course, actor = world["host"], world["course"], world["instructor"]
    client = _page_client(host, actor)
    cohort = cohort_services.cohort_create(name=unique("c"), actor=actor)

    def add(n: int) -> None:
        users = [UserFactory() for _ in range(n)]
        cohort_services.cohort_members_add(cohort=cohort, users=users, actor=actor)
        for _ in range(n):
            other = cohort_services.cohort_create(name=unique("c"), actor=actor)
            cohort_services.cohort_members_add(cohort=other, users=users[:1], actor=actor)
        for _ in range(n):
            extra = CourseFactory(author=actor, quiz=False)
            cohort_services.cohort_course_enrol(cohort=cohort, course=extra, actor=actor)
        cohort_services.cohort_course_enrol(cohort=cohort, course=course, actor=actor)

    add(2)
    before = {url: _count(client, url) for url in ("/teach/cohorts/", f"/teach/cohorts/{cohort.pk}/",
                                                   f"/teach/courses/{course.pk}/people/")}
    add(6)
    after = {url: _count(client, url) for url in before}
    assert after == before
    api = client_for(host, actor.email)
    add(1)
    api_before = {url: _count(api, url) for url in ("/api/v1/cohorts/", f"/api/v1/cohorts/{cohort.pk}/members/",
                                                    f"/api/v1/cohorts/{cohort.pk}/courses/")}
    add(5)
    assert {url: _count(api, url) for url in api_before} == api_before
    assert Course.objects.filter(cohort_enrolments__cohort=cohort).count() >= 10
