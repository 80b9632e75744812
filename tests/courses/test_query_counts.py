"""Every list endpoint answers with a number of queries that does not grow with its rows (SPEC §5)."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services
from courses.models import Certificate, Course, Lesson, Post, PostReport
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def _constant(client, url: str, add: Callable[[int], None]) -> None:
    add(2)
    with_two = _queries(client, url)
    add(18)
    assert _queries(client, url) == with_two


@pytest.fixture
def world(demo_host, in_demo):
    instructor = UserFactory(role="instructor")
    learner = UserFactory()
    course = CourseFactory(author=instructor)
    return {"host": demo_host, "instructor": instructor, "learner": learner, "course": course}


def test_users_list(world) -> None:
    _constant(client_for(world["host"], "admin@demo.test"), "/api/v1/users/",
              lambda n: [UserFactory() for _ in range(n)])


def test_courses_list(world) -> None:
    _constant(client_for(world["host"], world["learner"].email), "/api/v1/courses/",
              lambda n: [CourseFactory(author=world["instructor"], quiz=False) for _ in range(n)])


def test_course_outline(world) -> None:
    course = world["course"]

    def add(n: int) -> None:
        for _ in range(n):
            module = services.module_create(course=course, title="M")
            services.lesson_create(module=module, title="L", kind=Lesson.Kind.TEXT, body_markdown="x")

    _constant(client_for(world["host"], world["instructor"].email), f"/api/v1/courses/{course.pk}/", add)


def test_enrollments_list(world) -> None:
    learner = world["learner"]

    def add(n: int) -> None:
        for _ in range(n):
            course = CourseFactory(author=world["instructor"], quiz=False)
            services.enrollment_create(course=course, user=learner)
            services.lesson_complete(lesson=Lesson.objects.get(module__course=course), user=learner)

    _constant(client_for(world["host"], learner.email), "/api/v1/enrollments/", add)


def test_certificates_lists(world) -> None:
    learner = world["learner"]

    def add(n: int) -> None:
        for _ in range(n):
            course = Course.objects.create(title="C", slug=unique("c"))
            Certificate.objects.create(code=unique("code")[:32], course=course, user=learner, holder_name="H",
                                       course_title="C", organisation_name="O", score=Decimal("90"),
                                       issued_at=timezone.now())

    _constant(client_for(world["host"], learner.email), "/api/v1/certificates/", add)
    # The administrators' list of every certificate of the organisation, other holders included.
    _constant(client_for(world["host"], "admin@demo.test"), "/api/v1/certificates/?all=1",
              lambda n: [Certificate.objects.create(
                  code=unique("code")[:32], course=Course.objects.create(title="C", slug=unique("c")),
                  user=UserFactory(), holder_name="H", course_title="C", organisation_name="O", score=Decimal("90"),
                  issued_at=timezone.now()) for _ in range(n)])


def test_posts_list(world) -> None:
    course = world["course"]
    learner = world["learner"]
    services.enrollment_create(course=course, user=learner)

    def add(n: int) -> None:
        for _ in range(n):
            post = services.post_create(course=course, author=world["instructor"], body="Hello")
            services.post_create(course=course, author=learner, body="Reply", parent=post)
            PostReport.objects.create(post=post, reporter=learner, reason="r")

    _constant(client_for(world["host"], world["instructor"].email), f"/api/v1/courses/{course.pk}/posts/", add)


def test_moderation_queue(world) -> None:
    course = world["course"]

    def add(n: int) -> None:
        for _ in range(n):
            post = Post.objects.create(course=course, author=UserFactory(), body="x")
            PostReport.objects.create(post=post, reporter=UserFactory(), reason="spam")

    _constant(client_for(world["host"], world["instructor"].email), "/api/v1/moderation/reports/", add)


def test_course_analytics(world) -> None:
    course = world["course"]
    quiz = quiz_of(course)

    def add(n: int) -> None:
        for _ in range(n):
            learner = UserFactory()
            services.enrollment_create(course=course, user=learner)
            attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
            services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=1))

    _constant(client_for(world["host"], world["instructor"].email), f"/api/v1/courses/{course.pk}/analytics/", add)


def test_a_tenant_page_reads_the_branding_once(demo) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=demo.get_primary_domain().domain)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/login/").status_code == 200
    assert sum('"courses_branding"' in q["sql"] for q in queries.captured_queries) == 1
