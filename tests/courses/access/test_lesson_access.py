"""Issue 11 item 1: enrolment guards every read of lesson content. One selector
(`courses.selectors.lesson_readable`) decides; this suite sweeps every GET route of the tenant
urlconf (API and pages, read from `courses.urls`, so a route added later is covered) with a SPOC's
course, module and lesson ids, and looks for the lesson's body and quiz question in the answers."""

from __future__ import annotations

import re

from django.test import Client

from courses import selectors, services
from courses.models import Course, Lesson
from courses.urls import urlpatterns
from mooc_platform.accounts.models import User
from tests.courses.helpers import quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _spoc_with_secrets(author: User) -> tuple[Course, str, str]:
    course = CourseFactory(author=author, visibility=Course.Visibility.SPOC)
    body_marker, question_marker = unique("BODYSECRET"), unique("QUESTIONSECRET")
    text = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
    services.lesson_update(lesson=text, body_markdown=f"The secret is {body_marker}")
    services.question_create(lesson=quiz_of(course), text=question_marker, kind="single",
                             choices=[("right", True), ("wrong", False)])
    return course, body_marker, question_marker


def _get_urls(course: Course) -> list[str]:
    ids = {str(course.pk), *(str(m.pk) for m in course.modules.all()),
           *(str(pk) for pk in Lesson.objects.filter(module__course=course).values_list("pk", flat=True))}
    urls = []
    for pattern in urlpatterns:
        route = "/" + str(pattern.pattern)
        names = [m.group("name") for m in PARAM.finditer(route)]
        if not names:
            urls.append(route)
        elif names == ["slug"]:
            urls.append(PARAM.sub(course.slug, route))
        elif names == ["pk"]:
            urls.extend(PARAM.sub(value, route) for value in ids)
        elif names == ["slug", "pk"]:
            urls.extend(route.replace("<slug:slug>", course.slug).replace("<id:pk>", value) for value in ids)
    return urls


def test_the_selector_lets_staff_and_enrolled_learners_read_and_nobody_else(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    course, _, _ = _spoc_with_secrets(instructor)
    lesson = quiz_of(course)
    invited, stranger = UserFactory(), UserFactory()
    services.course_invitations_add(course=course, emails=[invited.email])
    assert selectors.lesson_readable(user=instructor, lesson=lesson) is True
    assert selectors.lesson_readable(user=invited, lesson=lesson) is False  # invited, not yet enrolled
    assert selectors.lesson_readable(user=stranger, lesson=lesson) is False
    services.enrollment_create(course=course, user=invited)
    assert selectors.lesson_readable(user=invited, lesson=lesson) is True
    assert list(selectors.courses_content_readable(user=invited).filter(pk=course.pk)) == [course]
    assert not selectors.courses_content_readable(user=stranger).filter(pk=course.pk).exists()


def test_course_detail_shows_the_outline_but_no_lesson_body_to_a_learner_not_enrolled(demo_host, in_demo) -> None:
    course, body_marker, _ = _spoc_with_secrets(UserFactory(role="instructor"))
    stranger = UserFactory()
    response = client_for(demo_host, stranger.email).get(f"/api/v1/courses/{course.pk}/")
    assert response.status_code == 200
    lessons = response.json()["modules"][0]["lessons"]
    assert [(lesson["title"], lesson["body_html"]) for lesson in lessons] == [("Reading", None), ("Quiz", None)]
    enrolled = UserFactory()
    services.course_invitations_add(course=course, emails=[enrolled.email])
    services.enrollment_create(course=course, user=enrolled)
    shown = client_for(demo_host, enrolled.email).get(f"/api/v1/courses/{course.pk}/").json()
    assert body_marker in shown["modules"][0]["lessons"][0]["body_html"]


def test_no_get_route_shows_a_spocs_lesson_content_to_a_learner_not_enrolled(demo_host, in_demo) -> None:
    course, body_marker, question_marker = _spoc_with_secrets(UserFactory(role="instructor"))
    stranger = UserFactory()
    services.course_invitations_add(course=course, emails=[stranger.email])  # invited is not enough
    api = client_for(demo_host, stranger.email)
    page = Client(HTTP_HOST=demo_host)
    page.force_login(stranger)
    urls = _get_urls(course)
    assert f"/api/v1/courses/{course.pk}/" in urls and f"/courses/{course.slug}/lessons/{quiz_of(course).pk}/" in urls
    leaks = []
    for url in urls:
        for client in (api, page):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            if body_marker.encode() in content or question_marker.encode() in content:
                leaks.append(url)
    assert leaks == []
    # The writes that would reveal content are refused too: starting the quiz returns its questions.
    started = api.post(f"/api/v1/lessons/{quiz_of(course).pk}/attempts/")
    assert started.status_code == 403 and started.json()["error"]["code"] == "not_enrolled"
    assert page.post(f"/courses/{course.slug}/lessons/{quiz_of(course).pk}/", {"action": "start"}).status_code == 404
