"""Learning: enrolment (MOOC self-enrolment, SPOC by invitation), completion, quizzes, certificates
(SPEC R21: issued exactly at completion + pass mark, publicly verifiable)."""

import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from courses import services
from courses.errors import QuizClosedError, QuizDeadlineInMaintenanceError
from courses.models import Certificate, Course, Lesson
from courses.tasks import certificate_pdf_store
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for


def test_learner_self_enrols_in_a_published_mooc(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    learner = UserFactory()
    client = client_for(demo_host, learner.email)
    response = client.post("/api/v1/enrollments/", {"course": course.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lessons_total"] == 2 and response.json()["lessons_done"] == 0
    again = client.post("/api/v1/enrollments/", {"course": course.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]


def test_spoc_refuses_self_enrolment_without_invitation_and_admits_invited_emails(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor, visibility=Course.Visibility.SPOC)
    learner, invited = UserFactory(), UserFactory()
    refused = client_for(demo_host, learner.email).post("/api/v1/enrollments/", {"course": course.pk}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "enrollment_refused"
    staff = client_for(demo_host, instructor.email)
    assert staff.post(f"/api/v1/courses/{course.pk}/invitations/", {"emails": [invited.email]},
                      format="json").json() == {"added": 1}
    ok = client_for(demo_host, invited.email).post("/api/v1/enrollments/", {"course": course.pk}, format="json")
    assert ok.status_code == 201
    by_staff = staff.post("/api/v1/enrollments/", {"course": course.pk, "user": learner.pk}, format="json")
    assert by_staff.status_code == 201


def test_learners_cannot_see_or_enrol_in_drafts(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), publish=False)
    client = client_for(demo_host, UserFactory().email)
    assert client.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    assert client.post("/api/v1/enrollments/", {"course": course.pk}, format="json").status_code == 404


def test_quiz_grading_is_all_or_nothing_per_question(in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    quiz = quiz_of(course)
    single, multiple = quiz.questions.order_by("position")
    right_multi = [c.pk for c in multiple.choices.all() if c.is_correct]
    assert services.quiz_grade(lesson=quiz, answers=answers_for(quiz, right=2)) == Decimal("100.00")
    assert services.quiz_grade(lesson=quiz, answers=answers_for(quiz, right=1)) == Decimal("50.00")
    assert services.quiz_grade(lesson=quiz, answers={str(multiple.pk): right_multi[:1]}) == Decimal("0.00")
    both = [c.pk for c in single.choices.all()]
    assert services.quiz_grade(lesson=quiz, answers={str(single.pk): both}) == Decimal("0.00")


def test_quiz_attempts_limit_through_the_api(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), pass_mark="100")
    quiz = quiz_of(course)
    learner = UserFactory()
    client = client_for(demo_host, learner.email)
    client.post("/api/v1/enrollments/", {"course": course.pk}, format="json")
    for expected in ("0.00", "50.00"):
        attempt = client.post(f"/api/v1/lessons/{quiz.pk}/attempts/").json()
        assert all("is_correct" not in c for q in attempt["questions"] for c in q["choices"])
        right = 0 if expected == "0.00" else 1
        result = client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit/",
                             {"answers": answers_for(quiz, right=right)}, format="json").json()
        assert result["score"] == expected and result["passed"] is False
    third = client.post(f"/api/v1/lessons/{quiz.pk}/attempts/")
    assert third.status_code == 409 and third.json()["error"]["code"] == "quiz_attempts_exhausted"


def test_quiz_time_limit_and_deadline(in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    quiz = quiz_of(course)
    start = timezone.now()
    services.lesson_update(lesson=quiz, time_limit_minutes=10, deadline=start + timedelta(hours=1))
    learner = UserFactory()
    services.enrollment_create(course=course, user=learner)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner, now=start)
    assert attempt.expires_at == start + timedelta(minutes=10)
    late = services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2),
                                        now=start + timedelta(minutes=11))
    assert late.score == Decimal("0.00")
    with pytest.raises(QuizClosedError) as closed:
        services.quiz_attempt_start(lesson=quiz, user=learner, now=start + timedelta(hours=2))
    assert closed.value.code == "quiz_deadline_passed"


def test_quiz_deadline_inside_a_maintenance_window_is_refused(in_demo, acme) -> None:
    """GCS art. 8: an instructor cannot set a deadline inside a window scheduled for their tenant."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from maintenance.services import maintenance_window_schedule

    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=paris), tick=False):
        with schema_context("public"):
            maintenance_window_schedule(
                start=datetime(2026, 12, 5, 12, 0, tzinfo=paris), end=datetime(2026, 12, 5, 18, 0, tzinfo=paris),
                scope="selected", tenants=[in_demo], reason="PostgreSQL upgrade",
                message_fr="Mise à jour", message_en="Upgrade")
        assert connection.schema_name == in_demo.schema_name
        with pytest.raises(QuizDeadlineInMaintenanceError) as refused:
            services.quiz_deadline_check(deadline=datetime(2026, 12, 5, 14, 0, tzinfo=paris))
        assert refused.value.code == "quiz_deadline_in_maintenance"
        services.quiz_deadline_check(deadline=datetime(2026, 12, 5, 18, 0, tzinfo=paris))  # the window's end
        with schema_context(acme.schema_name):  # the window is not acme's
            services.quiz_deadline_check(deadline=datetime(2026, 12, 5, 14, 0, tzinfo=paris))


def test_learner_is_warned_before_a_timed_quiz_that_would_run_into_a_maintenance_window(demo, in_demo) -> None:
    from zoneinfo import ZoneInfo

    from maintenance.services import maintenance_window_schedule

    paris = ZoneInfo("Europe/Paris")
    course = CourseFactory(author=UserFactory(role="instructor"))
    quiz = quiz_of(course)
    quiz.time_limit_minutes = 45
    quiz.save(update_fields=["time_limit_minutes"])
    learner = UserFactory()
    services.enrollment_create(course=course, user=learner)
    client = Client(HTTP_HOST=demo.get_primary_domain().domain)
    client.force_login(learner)
    page_url = f"/courses/{course.slug}/lessons/{quiz.pk}/"
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=paris), tick=False), schema_context("public"):
        maintenance_window_schedule(
            start=datetime(2026, 12, 5, 12, 0, tzinfo=paris), end=datetime(2026, 12, 5, 18, 0, tzinfo=paris),
            scope="all", reason="Upgrade", message_fr="Mise à jour", message_en="Upgrade")
    with time_machine.travel(datetime(2026, 12, 5, 11, 30, tzinfo=paris), tick=False):  # 45 min reach 12:15
        warned = client.get(page_url)
    with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=paris), tick=False):  # ends 11:45
        clear = client.get(page_url)
    assert b'data-testid="quiz-maintenance-warning"' in warned.content
    assert b'data-testid="quiz-maintenance-warning"' not in clear.content


def test_certificate_is_issued_exactly_when_every_lesson_is_done_and_the_pass_mark_reached(
        demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), pass_mark="75")
    quiz = quiz_of(course)
    text = Lesson.objects.get(module__course=course, kind="text")
    learner = UserFactory(full_name="Carla Certified")
    services.enrollment_create(course=course, user=learner)
    # Passing the quiz alone is not completing the course.
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=1))  # 50 %
    assert not Certificate.objects.filter(user=learner).exists()
    # Every lesson completed, but the score (50) is under the pass mark (75).
    assert services.lesson_complete(lesson=text, user=learner) is None
    assert not Certificate.objects.filter(user=learner).exists()
    # The second attempt reaches 100: the certificate is issued at that moment.
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2))
    certificate = Certificate.objects.get(user=learner, course=course)
    assert (certificate.score, certificate.holder_name, certificate.course_title) == (
        Decimal("100.00"), "Carla Certified", course.title)
    assert len(certificate.code) == 16
    # The PDF is rendered by a Celery task queued on commit (run here in-process).
    key = certificate_pdf_store.apply(kwargs={"schema_name": in_demo.schema_name,
                                              "certificate_id": certificate.pk}).get()
    assert key == f"tenants/{in_demo.schema_name}/certificates/{certificate.code}.pdf"

    client = client_for(demo_host, learner.email)
    listed = client.get("/api/v1/certificates/").json()["results"]
    assert [c["code"] for c in listed] == [certificate.code]
    url = client.get(f"/api/v1/certificates/{certificate.pk}/download/").json()["url"]
    with urllib.request.urlopen(url) as response:
        assert response.read(5) == b"%PDF-"

    public = Client(HTTP_HOST=demo_host)
    page = public.get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200
    assert b"Valid certificate of achievement" in page.content and b"Carla Certified" in page.content
    assert public.get("/certificates/verify/NOTACODE/").status_code == 404
    api = public.get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert api["valid"] is True and api["holder_name"] == "Carla Certified"


def test_a_course_without_quiz_certifies_on_completion(in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), quiz=False)
    learner = UserFactory()
    services.enrollment_create(course=course, user=learner)
    certificate = services.lesson_complete(lesson=Lesson.objects.get(module__course=course), user=learner)
    assert certificate is not None and certificate.score == Decimal("100.00")


def test_progress_of_an_enrolment(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    learner = UserFactory()
    enrollment, _ = services.enrollment_create(course=course, user=learner)
    services.lesson_complete(lesson=Lesson.objects.get(module__course=course, kind="text"), user=learner)
    body = client_for(demo_host, learner.email).get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert (body["lessons_done"], body["lessons_total"], body["score"], body["passed"]) == (1, 2, "0.00", False)


def test_markdown_is_sanitised(in_demo) -> None:
    html = services.markdown_render("Hi <script>alert(1)</script> [x](javascript:alert(1)) **b**")
    assert "<script" not in html and "javascript:" not in html and "<strong>b</strong>" in html


def test_publishing_an_empty_course_is_refused(demo_host) -> None:
    client = client_for(demo_host, "instructor@demo.test")
    created = client.post("/api/v1/courses/", {"title": "Empty", "slug": "empty-course-x1", "visibility": "spoc",
                                               "licence": "cc-by-nc", "pass_mark": "60"}, format="json")
    assert created.status_code == 201, created.content
    refused = client.post(f"/api/v1/courses/{created.json()['id']}/publish/")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "course_not_ready"
    duplicate = client.post("/api/v1/courses/", {"title": "Empty", "slug": "empty-course-x1"}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["error"]["code"] == "validation_error"


def test_time_travel_is_available() -> None:
    with time_machine.travel("2026-03-28 12:00:00+00:00", tick=False):
        assert timezone.now().year == 2026


def test_lesson_contents_and_forum_are_for_enrolled_members_only(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), visibility=Course.Visibility.SPOC)
    lesson = Lesson.objects.get(module__course=course, kind="text")
    outsider = client_for(demo_host, UserFactory().email)
    assert outsider.get(f"/api/v1/lessons/{lesson.pk}/").json()["error"]["code"] == "not_enrolled"
    assert outsider.get(f"/api/v1/courses/{course.pk}/posts/").status_code == 403


def test_instructor_reorders_lessons_and_modules(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    module = course.modules.get()
    second = services.module_create(course=course, title="Week 2")
    client = client_for(demo_host, "instructor@demo.test")
    quiz = quiz_of(course)
    assert client.post(f"/api/v1/lessons/{quiz.pk}/move/", {"direction": "up"}, format="json").status_code == 204
    assert [lesson.title for lesson in module.lessons.order_by("position", "id")] == ["Quiz", "Reading"]
    client.post(f"/api/v1/modules/{second.pk}/move/", {"direction": "up"}, format="json")
    assert [m.title for m in course.modules.order_by("position", "id")] == ["Week 2", "Week 1"]
    client.post(f"/api/v1/modules/{second.pk}/move/", {"direction": "up"}, format="json")  # already first
    assert [m.title for m in course.modules.order_by("position", "id")] == ["Week 2", "Week 1"]
