"""Quiz authoring and taking through the pages and the API (issue 14 item 4): every kind, edit, reorder and
delete, the typed values kept on a validation error, the review of a submitted attempt when allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from courses import services
from courses.models import Lesson, Question, QuizAttempt
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for


@pytest.fixture
def quiz_world(demo_host, in_demo):
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor, quiz=False, language="en")
    quiz = services.lesson_create(module=course.modules.get(), title="Check", kind=Lesson.Kind.QUIZ, max_attempts=2)
    learner = UserFactory()
    services.enrollment_create(course=course, user=learner)
    staff = Client(HTTP_HOST=demo_host)
    staff.force_login(instructor)
    me = Client(HTTP_HOST=demo_host)
    me.force_login(learner)
    return {"host": demo_host, "course": course, "quiz": quiz, "instructor": instructor, "learner": learner,
            "staff": staff, "me": me}


def test_a_validation_error_shows_the_form_again_with_what_was_typed(quiz_world) -> None:
    url = f"/teach/lessons/{quiz_world['quiz'].pk}/"
    response = quiz_world["staff"].post(url, {
        "action": "add_question", "kind": "numeric", "text": "Speed of light in km/s?",
        "numeric_answer": "three hundred thousand", "numeric_tolerance": "1000", "explanation": "c ≈ 299 792 km/s"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the expected answer as a number." in page
    assert "Speed of light in km/s?" in page and 'value="three hundred thousand"' in page
    assert 'value="1000"' in page and "c ≈ 299 792 km/s" in page
    assert '<option value="numeric" selected>' in page
    assert not Question.objects.filter(lesson=quiz_world["quiz"]).exists()


def test_every_kind_is_written_through_the_builder_page(quiz_world) -> None:
    url = f"/teach/lessons/{quiz_world['quiz'].pk}/"
    staff = quiz_world["staff"]
    posts = [
        {"kind": "single", "text": "Capital of France?", "choices": "*Paris | Right.\nLyon | No: Paris."},
        {"kind": "multiple", "text": "Even numbers?", "choices": "*2\n*4\n5"},
        {"kind": "true_false", "text": "The Earth is flat.", "true_false_answer": "false", "feedback_true": "No."},
        {"kind": "short", "text": "Author of Les Misérables?", "accepted_answers": "Victor Hugo\nHugo"},
        {"kind": "numeric", "text": "π?", "numeric_answer": "3,14", "numeric_tolerance": "0,01"},
        {"kind": "matching", "text": "Capitals", "pairs": "France = Paris\nItaly = Rome"},
    ]
    for post in posts:
        response = staff.post(url, {"action": "add_question", **post})
        assert response.status_code == 302, response.content.decode()[:2000]
    questions = list(Question.objects.filter(lesson=quiz_world["quiz"]).order_by("position"))
    assert [q.kind for q in questions] == ["single", "multiple", "true_false", "short", "numeric", "matching"]
    single, multiple, true_false, short, numeric, matching = questions
    assert [(c.text, c.is_correct, c.feedback) for c in single.choices.order_by("id")] == [
        ("Paris", True, "Right."), ("Lyon", False, "No: Paris.")]
    assert [(c.text, c.is_correct, c.feedback) for c in true_false.choices.order_by("id")] == [
        ("True", False, "No."), ("False", True, "")]
    assert short.accepted_answers == ["Victor Hugo", "Hugo"]
    assert (numeric.numeric_answer, numeric.numeric_tolerance) == (Decimal("3.14"), Decimal("0.01"))
    assert [(c.text, c.match_text) for c in matching.choices.order_by("id")] == [("France", "Paris"),
                                                                                ("Italy", "Rome")]
    # The edit form shows the question as it was typed.
    page = staff.get(url, {"edit": single.pk}).content.decode()
    assert "*Paris | Right.\nLyon | No: Paris." in page and 'name="action" value="edit_question"' in page
    page = staff.get(url, {"edit": numeric.pk}).content.decode()
    assert 'value="3.14"' in page and 'value="0.01"' in page
    # Edit, move, delete.
    response = staff.post(url, {"action": "edit_question", "question": single.pk, "kind": "single",
                                "text": "Capital of Italy?", "choices": "Paris\n*Rome"})
    assert response.status_code == 302
    single.refresh_from_db()
    assert single.text == "Capital of Italy?"
    assert [c.text for c in single.choices.filter(is_correct=True)] == ["Rome"]
    staff.post(url, {"action": "question_down", "question": single.pk})
    assert list(Question.objects.filter(lesson=quiz_world["quiz"]).order_by("position").values_list(
        "kind", flat=True))[:2] == ["multiple", "single"]
    staff.post(url, {"action": "delete_question", "question": multiple.pk})
    assert not Question.objects.filter(pk=multiple.pk).exists()
    # Another quiz's question cannot be touched from this page.
    other = CourseFactory(author=quiz_world["instructor"])
    foreign = Question.objects.filter(lesson__module__course=other).first()
    assert staff.post(url, {"action": "delete_question", "question": foreign.pk}).status_code == 404
    for hostile in ["", "x", "99999999999999999999", "-1"]:
        assert staff.post(url, {"action": "delete_question", "question": hostile}).status_code == 404
    assert staff.post(url, {"action": "add_question", "kind": "<script>", "text": "x"}).status_code == 400


def _quiz_of_three(quiz: Lesson) -> tuple[Question, Question, Question]:
    single = services.question_create(lesson=quiz, text="Capital of France?", kind="single",
                                      explanation="Paris has been the capital since 987.",
                                      choices=[{"text": "Paris", "is_correct": True, "feedback": "Well done."},
                                               {"text": "Lyon", "is_correct": False,
                                                "feedback": "Lyon is the third city."}])
    numeric = services.question_create(lesson=quiz, text="2 + 2?", kind="numeric", numeric_answer="4")
    matching = services.question_create(lesson=quiz, text="Match", kind="matching",
                                        choices=[{"text": "France", "match_text": "Paris"},
                                                 {"text": "Italy", "match_text": "Rome"}])
    return single, numeric, matching


def test_a_learner_sees_which_answers_were_wrong(quiz_world) -> None:
    single, numeric, matching = _quiz_of_three(quiz_world["quiz"])
    lyon = single.choices.get(text="Lyon")
    france, italy = matching.choices.order_by("id")
    me = quiz_world["me"]
    url = f"/courses/{quiz_world['course'].slug}/lessons/{quiz_world['quiz'].pk}/"
    me.post(url, {"action": "start"})
    attempt = QuizAttempt.objects.get(lesson=quiz_world["quiz"], user=quiz_world["learner"])
    page = me.get(url).content.decode()
    assert f'name="q{matching.pk}_{france.pk}"' in page and f'name="q{numeric.pk}"' in page
    response = me.post(url, {"action": "submit", "attempt": attempt.pk, f"q{single.pk}": lyon.pk,
                             f"q{numeric.pk}": "4,0", f"q{matching.pk}_{france.pk}": italy.pk,
                             f"q{matching.pk}_{italy.pk}": france.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"?review={attempt.pk}#review")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("33.33")
    page = me.get(response["Location"]).content.decode()
    assert page.count("✗ Wrong") == 2 and page.count("✓ Right") == 1
    assert "Lyon is the third city." in page and "Paris has been the capital since 987." in page
    assert "The expected answers are shown once you have no attempt left." in page
    assert "Expected" not in page
    # Second and last attempt: the expected answers are shown.
    me.post(url, {"action": "start"})
    second = QuizAttempt.objects.get(lesson=quiz_world["quiz"], user=quiz_world["learner"], number=2)
    me.post(url, {"action": "submit", "attempt": second.pk, f"q{numeric.pk}": "5"})
    page = me.get(url).content.decode()
    assert "Expected: Paris" in page and "Expected: 4" in page and "France → Paris; Italy → Rome" in page


def test_no_review_when_the_instructor_does_not_allow_it(quiz_world) -> None:
    _quiz_of_three(quiz_world["quiz"])
    services.lesson_update(lesson=quiz_world["quiz"], review_allowed=False)
    api = client_for(quiz_world["host"], quiz_world["learner"].email)
    attempt = api.post(f"/api/v1/lessons/{quiz_world['quiz'].pk}/attempts/").json()
    api.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit/", {"answers": {}}, format="json")
    body = api.get(f"/api/v1/quiz-attempts/{attempt['id']}/").json()
    assert (body["review_allowed"], body["questions"], body["score"]) == (False, None, "0.00")
    page = quiz_world["me"].get(f"/courses/{quiz_world['course'].slug}/lessons/{quiz_world['quiz'].pk}/")
    assert 'data-testid="quiz-review"' not in page.content.decode()


def test_api_takes_every_kind_and_reviews_the_attempt(quiz_world) -> None:
    single, numeric, matching = _quiz_of_three(quiz_world["quiz"])
    paris = single.choices.get(text="Paris")
    france, italy = matching.choices.order_by("id")
    api = client_for(quiz_world["host"], quiz_world["learner"].email)
    started = api.post(f"/api/v1/lessons/{quiz_world['quiz'].pk}/attempts/").json()
    match_q = next(q for q in started["questions"] if q["kind"] == "matching")
    assert sorted(o["text"] for o in match_q["match_options"]) == ["Paris", "Rome"]
    assert "is_correct" not in str(started)
    answers = {str(single.pk): [paris.pk], str(numeric.pk): "4.00",
               str(matching.pk): {str(france.pk): france.pk, str(italy.pk): italy.pk}}
    submitted = api.post(f"/api/v1/quiz-attempts/{started['id']}/submit/", {"answers": answers}, format="json")
    assert submitted.json()["score"] == "100.00"
    review = api.get(f"/api/v1/quiz-attempts/{started['id']}/").json()
    assert [q["right"] for q in review["questions"]] == [True, True, True]
    assert review["questions"][0]["feedback"] == ["Well done."]
    assert review["questions"][0]["expected"] is None  # one attempt left
    # Hostile answer sheets: a wrong answer, never a 500.
    second = api.post(f"/api/v1/lessons/{quiz_world['quiz'].pk}/attempts/").json()
    hostile = {str(single.pk): {"$ne": 1}, str(numeric.pk): ["NaN", "1e999999"], str(matching.pk): "x" * 5000,
               "999999999999999999999": [1], "abc": "x"}
    response = api.post(f"/api/v1/quiz-attempts/{second['id']}/submit/", {"answers": hostile}, format="json")
    assert (response.status_code, response.json()["score"]) == (200, "0.00")
    assert api.post(f"/api/v1/quiz-attempts/{second['id']}/submit/", {"answers": "x"},
                    format="json").status_code == 400


def test_api_question_crud_is_for_instructors(quiz_world) -> None:
    staff = client_for(quiz_world["host"], quiz_world["instructor"].email)
    learner = client_for(quiz_world["host"], quiz_world["learner"].email)
    quiz = quiz_world["quiz"]
    created = staff.post(f"/api/v1/lessons/{quiz.pk}/questions/", {
        "kind": "short", "text": "Author?", "accepted_answers": ["Hugo"], "explanation": "Victor Hugo."},
        format="json")
    assert created.status_code == 201, created.content
    qid = created.json()["id"]
    assert created.json()["accepted_answers"] == ["Hugo"]
    bad = staff.post(f"/api/v1/lessons/{quiz.pk}/questions/", {"kind": "numeric", "text": "x"}, format="json")
    assert (bad.status_code, list(bad.json()["error"]["details"])) == (400, ["numeric_answer"])
    assert learner.get(f"/api/v1/questions/{qid}/").status_code == 403
    assert learner.delete(f"/api/v1/questions/{qid}/").status_code == 403
    updated = staff.put(f"/api/v1/questions/{qid}/", {"kind": "numeric", "text": "2+2?", "numeric_answer": "4",
                                                      "numeric_tolerance": "0.5"}, format="json")
    assert (updated.status_code, updated.json()["numeric_tolerance"]) == (200, "0.50000000")
    second = staff.post(f"/api/v1/lessons/{quiz.pk}/questions/", {
        "kind": "true_false", "text": "Sky is blue.", "choices": [{"text": "True", "is_correct": True},
                                                                  {"text": "False"}]}, format="json").json()
    assert staff.post(f"/api/v1/questions/{second['id']}/move/", {"direction": "up"},
                      format="json").status_code == 204
    assert list(quiz.questions.order_by("position").values_list("pk", flat=True)) == [second["id"], qid]
    assert staff.delete(f"/api/v1/questions/{qid}/").status_code == 204
    assert staff.get(f"/api/v1/questions/{qid}/").status_code == 404


def test_api_categories(quiz_world) -> None:
    staff = client_for(quiz_world["host"], quiz_world["instructor"].email)
    learner = client_for(quiz_world["host"], quiz_world["learner"].email)
    created = staff.post("/api/v1/categories/", {"name": "Économie durable"}, format="json")
    assert created.status_code == 201
    assert created.json()["slug"].startswith("economie-durable")
    assert staff.post("/api/v1/categories/", {"name": "économie durable"}, format="json").status_code == 409
    assert learner.post("/api/v1/categories/", {"name": "Nope"}, format="json").status_code == 403
    names = [c["name"] for c in learner.get("/api/v1/categories/").json()["results"]]
    assert "Économie durable" in names


def test_an_attempt_shows_and_reviews_only_the_questions_drawn_for_it(quiz_world) -> None:
    _quiz_of_three(quiz_world["quiz"])
    quiz_world["staff"].post(f"/teach/lessons/{quiz_world['quiz'].pk}/", {
        "action": "update", "title": "Check", "body_markdown": "", "review_allowed": "1", "draw_count": "1"})
    quiz_world["quiz"].refresh_from_db()
    assert quiz_world["quiz"].draw_count == 1
    api = client_for(quiz_world["host"], quiz_world["learner"].email)
    started = api.post(f"/api/v1/lessons/{quiz_world['quiz'].pk}/attempts/").json()
    assert len(started["questions"]) == 1
    page = quiz_world["me"].get(f"/courses/{quiz_world['course'].slug}/lessons/{quiz_world['quiz'].pk}/")
    assert page.content.decode().count("<fieldset>") == 1
    api.post(f"/api/v1/quiz-attempts/{started['id']}/submit/", {"answers": {}}, format="json")
    review = api.get(f"/api/v1/quiz-attempts/{started['id']}/").json()
    assert [q["id"] for q in review["questions"]] == [started["questions"][0]["id"]]
