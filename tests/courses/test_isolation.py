"""Cross-tenant isolation of every courses endpoint (SPEC §5): a demo token is refused on acme, and
acme's users, given demo's ids, never see demo's data."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.models import Certificate, Lesson, MediaUpload, Post, PostReport
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, api_token, unique

MARKER = "demo-secret-" + unique()


@pytest.fixture
def demo_world(demo):
    with schema_context(demo.schema_name):
        instructor = UserFactory(role="instructor", full_name=MARKER)
        course = CourseFactory(author=instructor)
        course.title = MARKER
        course.save()
        learner = UserFactory(full_name=MARKER)
        enrollment, _ = services.enrollment_create(course=course, user=learner)
        text = Lesson.objects.get(module__course=course, kind="text")
        services.lesson_update(lesson=text, body_markdown=MARKER)
        services.lesson_complete(lesson=text, user=learner)
        quiz = quiz_of(course)
        attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
        services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2))
        post = services.post_create(course=course, author=learner, body=MARKER)
        report = PostReport.objects.create(post=post, reporter=instructor, reason=MARKER)
        upload = MediaUpload.objects.create(key=f"tenants/{demo.schema_name}/x/{unique()}", purpose="file",
                                            filename=MARKER, content_type="application/pdf", declared_size=1)
        certificate = Certificate.objects.get(user=learner)
        return {"course": course.pk, "module": course.modules.first().pk, "lesson": text.pk, "quiz": quiz.pk,
                "attempt": attempt.pk, "post": post.pk, "report": report.pk, "upload": upload.pk,
                "enrollment": enrollment.pk, "certificate": certificate.pk, "code": certificate.code,
                "user": learner.pk, "learner": learner.email}


GETS = ["/api/v1/users/", "/api/v1/courses/", "/api/v1/courses/{course}/", "/api/v1/courses/{course}/posts/",
        "/api/v1/courses/{course}/analytics/", "/api/v1/lessons/{lesson}/", "/api/v1/lessons/{lesson}/media/",
        "/api/v1/enrollments/", "/api/v1/enrollments/{enrollment}/", "/api/v1/certificates/",
        "/api/v1/certificates/?all=1", "/api/v1/certificates/{certificate}/download/",
        "/api/v1/certificates/verify/{code}/", "/api/v1/moderation/reports/", "/api/v1/branding/",
        "/api/v1/me/export/"]
POSTS = ["/api/v1/courses/{course}/publish/", "/api/v1/courses/{course}/modules/", "/api/v1/modules/{module}/lessons/",
         "/api/v1/lessons/{quiz}/questions/", "/api/v1/lessons/{lesson}/complete/", "/api/v1/lessons/{quiz}/attempts/",
         "/api/v1/quiz-attempts/{attempt}/submit/", "/api/v1/uploads/{upload}/confirm/", "/api/v1/enrollments/",
         "/api/v1/posts/{post}/report/", "/api/v1/posts/{post}/hide/", "/api/v1/posts/{post}/restore/",
         "/api/v1/users/{user}/deactivate/", "/api/v1/users/{user}/reactivate/", "/api/v1/courses/{course}/posts/"]
PAGES = ["/courses/", "/my/progress/", "/my/certificates/", "/teach/", "/teach/courses/{course}/",
         "/teach/lessons/{lesson}/", "/teach/moderation/", "/manage/users/", "/manage/analytics/",
         "/manage/analytics/{course}/", "/manage/analytics/{course}.csv", "/certificates/verify/{code}/"]


def test_a_demo_token_is_refused_on_acme_for_every_endpoint(demo_world, acme) -> None:
    demo_token = api_token("demo.localhost", demo_world["learner"])
    client = api_client("acme.localhost", demo_token)
    for url in GETS:
        response = client.get(url.format(**demo_world))
        assert response.status_code in (401, 404) or url.startswith("/api/v1/certificates/verify/"), url
        assert MARKER.encode() not in response.content, url


@pytest.mark.parametrize("email", ["admin@acme.test", "instructor@acme.test", "learner1@acme.test"])
def test_acme_users_given_demo_ids_never_see_demo_data(demo_world, acme, email) -> None:
    client = api_client("acme.localhost", api_token("acme.localhost", email))
    for url in GETS:
        response = client.get(url.format(**demo_world))
        assert response.status_code < 500, (url, response.status_code)
        assert MARKER.encode() not in response.content, url
    verify = client.get("/api/v1/certificates/verify/{code}/".format(**demo_world))
    assert verify.status_code == 404
    for url in POSTS:
        response = client.post(url.format(**demo_world), {"body": "x", "title": "x", "reason": "x", "course":
                                                          demo_world["course"], "answers": {}}, format="json")
        assert response.status_code < 500, (url, response.status_code, response.content)
        assert MARKER.encode() not in response.content, url
    page = Client(HTTP_HOST="acme.localhost")
    page.post("/login/", {"username": email, "password": "demo-password-2026"})
    for url in PAGES:
        response = page.get(url.format(**demo_world))
        assert response.status_code < 500, url
        assert MARKER.encode() not in response.content, url


def test_demo_posts_are_untouched_by_acme_moderators(demo, demo_world, acme) -> None:
    client = api_client("acme.localhost", api_token("acme.localhost", "instructor@acme.test"))
    client.post("/api/v1/posts/{post}/hide/".format(**demo_world))
    with schema_context(demo.schema_name):
        assert Post.objects.get(pk=demo_world["post"]).hidden_at is None
