"""The learner's own data: JSON export; deleting the account anonymises posts and keeps certificates
verifiable as "holder removed"."""

from django.test import Client

from courses import services
from courses.models import Certificate, Enrollment, Lesson, Post
from mooc_platform.accounts.models import User
from tests.courses.helpers import PASSWORD, answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for


def _certified_learner():
    course = CourseFactory(author=UserFactory(role="instructor"))
    learner = UserFactory(full_name="Dora Data")
    services.enrollment_create(course=course, user=learner)
    services.lesson_complete(lesson=Lesson.objects.get(module__course=course, kind="text"), user=learner)
    quiz = quiz_of(course)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2))
    services.post_create(course=course, author=learner, body="My thoughts")
    return course, learner


def test_learner_downloads_all_their_data_as_json(demo_host, in_demo) -> None:
    course, learner = _certified_learner()
    response = client_for(demo_host, learner.email).get("/api/v1/me/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["email"] == learner.email and data["profile"]["full_name"] == "Dora Data"
    assert [e["course"] for e in data["enrollments"]] == [course.slug]
    assert len(data["enrollments"][0]["completed_lessons"]) == 2
    assert [a["score"] for a in data["quiz_attempts"]] == ["100.00"]
    assert [c["course_title"] for c in data["certificates"]] == [course.title]
    assert [p["body"] for p in data["posts"]] == ["My thoughts"]
    page = Client(HTTP_HOST=demo_host)
    page.login(username=learner.email, password=PASSWORD)
    assert page.get("/my/export.json").json()["profile"]["email"] == learner.email


def test_deleting_my_account_anonymises_posts_and_keeps_the_certificate_verifiable(demo_host, in_demo) -> None:
    course, learner = _certified_learner()
    certificate = Certificate.objects.get(user=learner)
    client = client_for(demo_host, learner.email)
    assert client.post("/api/v1/me/delete/", {"password": "wrong"}, format="json").status_code == 400
    assert client.post("/api/v1/me/delete/", {"password": PASSWORD}, format="json").status_code == 204
    assert not User.objects.filter(email=learner.email).exists()
    assert not Enrollment.objects.filter(course=course, user_id=learner.pk).exists()
    post = Post.objects.get(course=course)
    assert (post.author_id, post.body) == (None, "My thoughts")
    certificate.refresh_from_db()
    assert (certificate.holder_removed, certificate.holder_name, certificate.user_id) == (True, "", None)
    page = Client(HTTP_HOST=demo_host).get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200 and b"holder removed" in page.content and b"Dora Data" not in page.content


def test_the_last_administrator_cannot_delete_their_account(demo_host, in_demo) -> None:
    admins = User.objects.filter(role="administrator", is_active=True)
    assert admins.count() >= 1
    others = list(admins.exclude(email="admin@demo.test"))
    User.objects.filter(pk__in=[u.pk for u in others]).update(is_active=False)
    response = client_for(demo_host, "admin@demo.test").post("/api/v1/me/delete/", {"password": PASSWORD},
                                                             format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "last_administrator"
