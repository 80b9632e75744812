"""SPEC R21 at its boundary: a score equal to the pass mark passes and earns the certificate; a score a
hundredth under it does not (the rule is "at least the pass mark")."""

from courses.models import Certificate, Lesson
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for


def _complete_with_half_the_quiz_right(host: str, course, learner) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Through the API: enrol, complete the text lesson, then get 1 question of 2 right (50.00)."""
    client = client_for(host, learner.email)
    enrollment = client.post("/api/v1/enrollments/", {"course": course.pk}, format="json").json()
    text = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
    assert client.post(f"/api/v1/lessons/{text.pk}/complete/").status_code in (200, 201)
    quiz = quiz_of(course)
    attempt = client.post(f"/api/v1/lessons/{quiz.pk}/attempts/").json()
    result = client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit/",
                         {"answers": answers_for(quiz, right=1)}, format="json").json()
    detail = client.get(f"/api/v1/enrollments/{enrollment['id']}/").json()
    return result, detail


def test_score_equal_to_the_pass_mark_passes_and_earns_the_certificate(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), pass_mark="50.00")
    learner = UserFactory(full_name="Exactly Fifty")

    result, detail = _complete_with_half_the_quiz_right(demo_host, course, learner)

    certificate = Certificate.objects.get(user=learner, course=course)
    assert (result["score"], result["passed"], result["certificate"]) == ("50.00", True, certificate.code)
    assert (detail["score"], detail["passed"]) == ("50.00", True)
    assert (str(certificate.score), certificate.holder_name) == ("50.00", "Exactly Fifty")


def test_score_a_hundredth_under_the_pass_mark_earns_nothing(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"), pass_mark="50.01")
    learner = UserFactory()

    result, detail = _complete_with_half_the_quiz_right(demo_host, course, learner)

    assert (result["score"], result["passed"], result["certificate"]) == ("50.00", False, None)
    assert (detail["score"], detail["passed"]) == ("50.00", False)
    assert not Certificate.objects.filter(user=learner, course=course).exists()
