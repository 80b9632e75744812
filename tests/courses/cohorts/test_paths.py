"""Learning paths (issue 14 item 10): an ordered list of courses, published to learners, who enrol in it (and so in
its courses) alone or with a cohort; their progress per course and the next course; the path's certificate once
every course's certificate is earned, in the path's language with the QR code of its verification URL."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from courses import services
from courses.models import Certificate, Enrollment, LearningPath, LearningPathCourse, Lesson, PathEnrollment
from courses.selectors.paths import path_progress
from courses.services import cohorts as cohort_services
from courses.services import paths as path_services
from mooc_platform import storage
from mooc_platform.errors import ApplicationError
from tests.courses.certificates.test_certificate_credentials import _qr_modules, _segno_modules
from tests.courses.helpers import answers_for
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


@pytest.fixture
def world(demo_host, in_demo):
    instructor = UserFactory(role="instructor")
    first = CourseFactory(author=instructor, quiz=False, title="Premiers pas")
    second = CourseFactory(author=instructor, quiz=True, title="Aller plus loin")
    return {"host": demo_host, "instructor": instructor, "first": first, "second": second}


def _path(world, language: str = "fr") -> LearningPath:
    actor = world["instructor"]
    path = path_services.path_create(title="Parcours données", language=language, actor=actor)
    path_services.path_course_add(path=path, course=world["second"], actor=actor)
    path_services.path_course_add(path=path, course=world["first"], actor=actor)
    path_services.path_course_move(path=path, course=world["first"], up=True, actor=actor)
    path_services.path_publish(path=path, actor=actor)
    return path


def _complete(course, user) -> None:
    for lesson in Lesson.objects.filter(module__course=course).order_by("position"):
        if lesson.kind == Lesson.Kind.QUIZ:
            attempt = services.quiz_attempt_start(lesson=lesson, user=user)
            services.quiz_attempt_submit(attempt=attempt, user=user,
                                         answers=answers_for(lesson, right=lesson.questions.count()))
        else:
            services.lesson_complete(lesson=lesson, user=user)


def test_order_publish_rules(world) -> None:
    actor = world["instructor"]
    path = path_services.path_create(title="Vide", actor=actor)
    with pytest.raises(ApplicationError):
        path_services.path_publish(path=path, actor=actor)  # no course
    draft = CourseFactory(author=actor, quiz=False, publish=False)
    path_services.path_course_add(path=path, course=draft, actor=actor)
    with pytest.raises(ApplicationError):
        path_services.path_publish(path=path, actor=actor)  # a draft course
    with pytest.raises(ApplicationError):
        path_services.path_course_add(path=path, course=draft, actor=actor)  # twice
    path = _path(world)
    assert [s.course_id for s in LearningPathCourse.objects.filter(path=path)] == [world["first"].pk,
                                                                                   world["second"].pk]
    path_services.path_course_move(path=path, course=world["first"], up=False, actor=actor)
    assert [s.course_id for s in LearningPathCourse.objects.filter(path=path)] == [world["second"].pk,
                                                                                   world["first"].pk]
    assert path_services.path_create(title="Parcours données", actor=actor).slug != path.slug


def test_a_learner_completes_the_path_and_earns_its_french_certificate(world, settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "https", "8443"
    learner = UserFactory(full_name="Zoé Lefèvre")
    path = _path(world)
    with pytest.raises(ApplicationError):  # a draft is closed
        path_services.path_enrol(path=path_services.path_create(title="Brouillon", actor=world["instructor"]),
                                 user=learner)
    path_services.path_enrol(path=path, user=learner)
    assert set(Enrollment.objects.filter(user=learner).values_list("course_id", flat=True)) == {
        world["first"].pk, world["second"].pk}
    progress = path_progress(path=path, user=learner)
    assert progress.next_step.course == world["first"] and progress.done == 0
    _complete(world["first"], learner)
    progress = path_progress(path=path, user=learner)
    assert progress.next_step.course == world["second"] and progress.done == 1 and progress.certificate is None
    _complete(world["second"], learner)
    progress = path_progress(path=path, user=learner)
    assert progress.next_step is None and progress.certificate is not None
    certificate = progress.certificate
    assert certificate.for_path and certificate.course_id is None and certificate.course_title == path.title
    assert PathEnrollment.objects.get(path=path, user=learner).completed_at is not None
    key = services.certificate_pdf_store(certificate_id=certificate.pk)
    pdf = storage.object_get(key=key)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Certificat de réussite" in text and "a suivi avec succès le parcours" in text
    assert "Parcours données" in text and "Zoé Lefèvre" in text
    url = f"https://demo.{settings.PLATFORM_DOMAIN}:8443/certificates/verify/{certificate.code}/"
    assert _qr_modules(pdf) == _segno_modules(url)
    page = Client(HTTP_HOST=world["host"]).get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200 and "Parcours données" in page.content.decode()


def test_english_path_certificate(world) -> None:
    learner = UserFactory()
    path = _path(world, language="en")
    for course in (world["first"], world["second"]):
        services.enrollment_create(course=course, user=learner)
        _complete(course, learner)
    assert not Certificate.objects.filter(path=path).exists()  # not enrolled in the path yet
    path_services.path_enrol(path=path, user=learner)  # every course done already: issued at once
    certificate = Certificate.objects.get(path=path, user=learner)
    pdf = storage.object_get(key=services.certificate_pdf_store(certificate_id=certificate.pk))
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "has completed the learning path" in text and "Certificat de" not in text


def test_a_cohort_enrolled_in_a_path_enrols_its_members_now_and_later(world) -> None:
    actor = world["instructor"]
    a, b = UserFactory(), UserFactory()
    path = _path(world)
    cohort = cohort_services.cohort_create(name=unique("c"), actor=actor)
    cohort_services.cohort_members_add(cohort=cohort, users=[a], actor=actor)
    _cp, made = path_services.cohort_path_enrol(cohort=cohort, path=path, actor=actor)
    assert made == 1 and PathEnrollment.objects.filter(path=path, user=a, cohort=cohort).exists()
    cohort_services.cohort_members_add(cohort=cohort, users=[b], actor=actor)
    assert PathEnrollment.objects.filter(path=path, user=b).exists()
    assert Enrollment.objects.filter(user=b, course__in=[world["first"], world["second"]]).count() == 2


def test_pages(world) -> None:
    host, actor = world["host"], world["instructor"]
    staff = Client(HTTP_HOST=host)
    staff.force_login(actor)
    response = staff.post("/teach/paths/", {"title": "Parcours pages", "language": "fr", "summary": "Trois cours"})
    path = LearningPath.objects.get(title="Parcours pages")
    assert response["Location"] == f"/teach/paths/{path.pk}/"
    for course in (world["first"], world["second"]):
        staff.post(f"/teach/paths/{path.pk}/", {"action": "add_course", "course": course.pk})
    staff.post(f"/teach/paths/{path.pk}/", {"action": "course_up", "course": world["second"].pk})
    assert [s.course_id for s in LearningPathCourse.objects.filter(path=path)] == [world["second"].pk,
                                                                                   world["first"].pk]
    staff.post(f"/teach/paths/{path.pk}/", {"action": "publish"})
    assert LearningPath.objects.get(pk=path.pk).status == "published"
    learner = UserFactory()
    client = Client(HTTP_HOST=host)
    client.force_login(learner)
    assert "Parcours pages" in client.get("/paths/").content.decode()
    assert client.get(f"/teach/paths/{path.pk}/").status_code == 403
    client.post(f"/paths/{path.slug}/")
    page = client.get(f"/paths/{path.slug}/").content.decode()
    assert f'href="/courses/{world["second"].slug}/"' in page and 'data-testid="path-next"' in page
    staff.post(f"/teach/paths/{path.pk}/", {"action": "unpublish"})
    assert client.get(f"/paths/{path.slug}/").status_code == 404
    assert staff.get(f"/teach/paths/{path.pk}/delete/").status_code == 200
    staff.post(f"/teach/paths/{path.pk}/delete/")
    assert not LearningPath.objects.filter(pk=path.pk).exists()


def test_api(world) -> None:
    host, actor = world["host"], world["instructor"]
    api = client_for(host, actor.email)
    created = api.post("/api/v1/learning-paths/", {"title": "API path", "language": "en"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    steps = api.put(f"/api/v1/learning-paths/{pk}/courses/",
                    {"courses": [world["second"].pk, world["first"].pk, world["second"].pk]}, format="json")
    assert [s["course"] for s in steps.json()] == [world["second"].pk, world["first"].pk]
    assert api.post(f"/api/v1/learning-paths/{pk}/publish/").json()["status"] == "published"
    learner = UserFactory()
    mine = client_for(host, learner.email)
    assert mine.post("/api/v1/learning-paths/", {"title": "x"}, format="json").status_code == 403
    assert mine.post(f"/api/v1/learning-paths/{pk}/enrol/").status_code == 201
    detail = mine.get(f"/api/v1/learning-paths/{pk}/").json()
    assert detail["enrolled"] and detail["next_course"] == world["second"].pk
    assert mine.patch(f"/api/v1/learning-paths/{pk}/", {"title": "x"}, format="json").status_code == 403
    assert mine.delete(f"/api/v1/learning-paths/{pk}/").status_code == 403
    assert api.delete(f"/api/v1/learning-paths/{pk}/publish/").json()["status"] == "draft"
    assert mine.get(f"/api/v1/learning-paths/{pk}/").status_code == 404


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_pages_take_a_constant_number_of_queries(world) -> None:
    host, actor = world["host"], world["instructor"]
    learner = UserFactory()
    path = _path(world)
    path_services.path_enrol(path=path, user=learner)

    def add(n: int) -> None:
        for _ in range(n):
            course = CourseFactory(author=actor, quiz=False)
            path_services.path_course_add(path=path, course=course, actor=actor)
            other = path_services.path_create(title=unique("p"), actor=actor)
            path_services.path_course_add(path=other, course=course, actor=actor)
            path_services.path_publish(path=other, actor=actor)
            path_services.path_enrol(path=other, user=learner)

    staff = Client(HTTP_HOST=host)
    staff.force_login(actor)
    mine = Client(HTTP_HOST=host)
    mine.force_login(learner)
    pages = [(staff, "/teach/paths/"), (staff, f"/teach/paths/{path.pk}/"), (mine, "/paths/"),
             (mine, f"/paths/{path.slug}/"), (client_for(host, learner.email), "/api/v1/learning-paths/"),
             (client_for(host, learner.email), f"/api/v1/learning-paths/{path.pk}/")]
    add(2)
    before = [_count(c, u) for c, u in pages]
    add(5)
    assert [_count(c, u) for c, u in pages] == before
