"""The scoring rule of each question kind (issue 14 item 4, courses.services.quizzes): all or nothing per
question, numeric answers within the tolerance edges included, hostile answers simply wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from courses import services
from courses.models import Lesson, Question
from mooc_platform.errors import ApplicationError
from tests.factories import CourseFactory, UserFactory


@pytest.fixture
def quiz(in_demo):
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor, quiz=False, publish=False, language="fr")
    module = course.modules.get()
    return services.lesson_create(module=module, title="Quiz", kind=Lesson.Kind.QUIZ)


def _right(question: Question, answer: object) -> bool:
    return services.answer_is_right(question=question, choices=list(question.choices.all()), answer=answer)


def test_single_choice(quiz) -> None:
    q = services.question_create(lesson=quiz, text="Capital of France?", kind="single",
                                 choices=[{"text": "Paris", "is_correct": True, "feedback": "Yes."},
                                          {"text": "Lyon", "is_correct": False, "feedback": "No, Paris."}])
    paris, lyon = q.choices.order_by("id")
    assert _right(q, [paris.pk]) is True
    assert _right(q, [str(paris.pk)]) is True
    assert _right(q, [lyon.pk]) is False
    assert _right(q, [paris.pk, lyon.pk]) is False  # two answers to a single-choice question
    assert _right(q, []) is False


def test_multiple_choice_needs_exactly_the_correct_set(quiz) -> None:
    q = services.question_create(lesson=quiz, text="Even?", kind="multiple",
                                 choices=[("2", True), ("4", True), ("5", False)])
    two, four, five = q.choices.order_by("id")
    assert _right(q, [two.pk, four.pk]) is True
    assert _right(q, [four.pk, two.pk]) is True
    assert _right(q, [two.pk]) is False
    assert _right(q, [two.pk, four.pk, five.pk]) is False


def test_true_false_choices_are_named_in_the_course_language(quiz) -> None:
    choices = services.true_false_choices(correct=False, language="fr", feedback_false="Bien vu.")
    q = services.question_create(lesson=quiz, text="La Terre est plate.", kind="true_false", choices=choices)
    vrai, faux = q.choices.order_by("id")
    assert (vrai.text, vrai.is_correct, faux.text, faux.is_correct, faux.feedback) == (
        "Vrai", False, "Faux", True, "Bien vu.")
    assert _right(q, [faux.pk]) is True
    assert _right(q, [vrai.pk]) is False


def test_short_text_ignores_case_and_spaces_not_spelling(quiz) -> None:
    q = services.question_create(lesson=quiz, text="Author of Les Misérables?", kind="short",
                                 accepted_answers=["Victor Hugo", "Hugo"])
    assert _right(q, "victor   hugo ") is True
    assert _right(q, "HUGO") is True
    assert _right(q, ["Hugo"]) is True
    assert _right(q, "Victor") is False
    assert _right(q, "") is False
    assert _right(q, "Hugo" * 1000) is False
    assert _right(q, {"a": 1}) is False


@pytest.mark.parametrize(("answer", "right"), [
    ("3.14", True), ("3,14", True), ("3.13", True), ("3.15", True),  # the edges of ± 0.01 are in
    ("3.12999", False), ("3.15001", False), ("3.1", False), (3.14, True), ("  3.14 ", True),
    ("NaN", False), ("Infinity", False), ("-inf", False), ("1e400", False), ("3.14.1", False),
    ("", False), (None, False), (True, False), ("abc", False), ("3 14", False),
])
def test_numeric_tolerance_edges(quiz, answer: object, right: bool) -> None:
    q = services.question_create(lesson=quiz, text="π to two decimals?", kind="numeric", numeric_answer="3.14",
                                 numeric_tolerance="0.01")
    assert (q.numeric_answer, q.numeric_tolerance) == (Decimal("3.14000000"), Decimal("0.01000000"))
    assert _right(q, answer) is right


def test_numeric_without_tolerance_is_exact(quiz) -> None:
    q = services.question_create(lesson=quiz, text="2 × 21?", kind="numeric", numeric_answer="42")
    assert _right(q, "42") is True
    assert _right(q, "42.0") is True
    assert _right(q, "42.00000001") is False


def test_matching_needs_every_pair_right(quiz) -> None:
    q = services.question_create(lesson=quiz, text="Capitals", kind="matching",
                                 choices=[{"text": "France", "match_text": "Paris"},
                                          {"text": "Italy", "match_text": "Rome"},
                                          {"text": "Spain", "match_text": "Madrid"}])
    fr, it, es = q.choices.order_by("id")
    assert _right(q, {str(fr.pk): fr.pk, str(it.pk): it.pk, str(es.pk): es.pk}) is True
    assert _right(q, {str(fr.pk): it.pk, str(it.pk): fr.pk, str(es.pk): es.pk}) is False
    assert _right(q, {str(fr.pk): fr.pk, str(it.pk): it.pk}) is False  # one left unanswered
    assert _right(q, [fr.pk]) is False
    assert [text for _pk, text in q.match_options] == ["Madrid", "Paris", "Rome"]


def test_quiz_grade_is_the_share_of_questions_right(quiz) -> None:
    single = services.question_create(lesson=quiz, text="1?", kind="single", choices=[("a", True), ("b", False)])
    short = services.question_create(lesson=quiz, text="2?", kind="short", accepted_answers=["x"])
    numeric = services.question_create(lesson=quiz, text="3?", kind="numeric", numeric_answer="10",
                                       numeric_tolerance="0.5")
    a = single.choices.get(text="a")
    answers = {str(single.pk): [a.pk], str(short.pk): "X", str(numeric.pk): "10,6"}
    assert services.quiz_grade(lesson=quiz, answers=answers) == Decimal("66.67")
    answers[str(numeric.pk)] = "10,5"
    assert services.quiz_grade(lesson=quiz, answers=answers) == Decimal("100.00")


def test_hostile_answer_sheets_are_wrong_answers_never_errors(quiz) -> None:
    q = services.question_create(lesson=quiz, text="1?", kind="single", choices=[("a", True), ("b", False)])
    for answers in [{str(q.pk): "drop table"}, {str(q.pk): [None]}, {str(q.pk): [10**30]}, {str(q.pk): {"x": 1}},
                    {"not-an-id": [1]}, {str(q.pk): [True]}]:
        assert services.quiz_grade(lesson=quiz, answers=services.answers_clean(answers=answers)) == Decimal("0.00")
    assert services.answers_clean(answers="nope") == {}


@pytest.mark.parametrize(("kind", "fields", "field"), [
    ("single", {"choices": [("a", True), ("b", True)]}, "choices"),
    ("multiple", {"choices": [("a", False), ("b", False)]}, "choices"),
    ("single", {"choices": [("a", True)]}, "choices"),
    ("true_false", {"choices": []}, "choices"),
    ("short", {"accepted_answers": ["  "]}, "accepted_answers"),
    ("numeric", {"numeric_answer": "abc"}, "numeric_answer"),
    ("numeric", {"numeric_answer": "1", "numeric_tolerance": "-1"}, "numeric_tolerance"),
    ("matching", {"choices": [{"text": "a", "match_text": "x"}]}, "choices"),
    ("matching", {"choices": [{"text": "a", "match_text": "x"}, {"text": "b", "match_text": "X"}]}, "choices"),
    ("essay", {}, "kind"),
])
def test_invalid_questions_are_refused_with_the_field_at_fault(quiz, kind: str, fields: dict, field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.question_create(lesson=quiz, text="Q?", kind=kind, **fields)
    assert field in exc.value.details
    assert not quiz.questions.exists()


def test_edit_reorder_delete(quiz) -> None:
    first = services.question_create(lesson=quiz, text="1?", kind="single", choices=[("a", True), ("b", False)])
    second = services.question_create(lesson=quiz, text="2?", kind="short", accepted_answers=["x"])
    kept = first.choices.order_by("id").first().pk
    services.question_update(question=first, text="One?", kind="multiple",
                             choices=[("a", True), ("b", True), ("c", False)], explanation="Because.")
    first.refresh_from_db()
    assert (first.text, first.kind, first.explanation) == ("One?", "multiple", "Because.")
    assert [(c.text, c.is_correct) for c in first.choices.order_by("id")] == [("a", True), ("b", True), ("c", False)]
    assert first.choices.order_by("id").first().pk == kept
    services.question_move(question=second, up=True)
    assert list(quiz.questions.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    services.question_move(question=second, up=True)  # already first: nothing moves
    assert list(quiz.questions.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    services.question_delete(question=second)
    assert list(quiz.questions.values_list("pk", flat=True)) == [first.pk]


def test_review_says_which_answers_were_right_with_feedback(quiz) -> None:
    single = services.question_create(lesson=quiz, text="Capital?", kind="single", explanation="Paris since 508.",
                                      choices=[{"text": "Paris", "is_correct": True, "feedback": "Yes."},
                                               {"text": "Lyon", "is_correct": False, "feedback": "No: Paris."}])
    numeric = services.question_create(lesson=quiz, text="2+2?", kind="numeric", numeric_answer="4",
                                       numeric_tolerance="0")
    lyon = single.choices.get(text="Lyon")
    questions = list(quiz.questions.prefetch_related("choices").order_by("position"))
    review = services.attempt_review(questions=questions, answers={str(single.pk): [lyon.pk], str(numeric.pk): "4"})
    assert [(r.question.pk, r.right) for r in review] == [(single.pk, False), (numeric.pk, True)]
    assert review[0].feedback == ["No: Paris."]
    assert review[0].expected == "Paris"
    assert [c.chosen for c in review[0].choices] == [False, True]
    assert (review[1].given_text, review[1].expected) == ("4", "4")


def test_each_attempt_draws_its_questions_from_the_bank_and_is_scored_on_them(quiz) -> None:
    from courses.models import QuizAttempt

    bank = [services.question_create(lesson=quiz, text=f"{n} + {n}?", kind="numeric", numeric_answer=str(2 * n))
            for n in range(1, 6)]
    services.lesson_update(lesson=quiz, draw_count=2)
    learner = UserFactory()
    services.enrollment_create(course=quiz.module.course, user=learner, actor=quiz.module.course.created_by)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    assert len(attempt.question_ids) == 2 and set(attempt.question_ids) <= {q.pk for q in bank}
    positions = [q.position for q in services.quiz_questions(lesson=quiz, question_ids=attempt.question_ids)]
    assert positions == sorted(positions)  # drawn, then asked in the bank's order
    by_id = {q.pk: q for q in bank}
    answers = {str(pk): str(by_id[pk].numeric_answer) for pk in attempt.question_ids}
    answers.update({str(q.pk): "-1" for q in bank if q.pk not in attempt.question_ids})  # not asked: not counted
    submitted = services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers)
    assert submitted.score == Decimal("100.00")
    assert QuizAttempt.objects.get(pk=attempt.pk).question_ids == attempt.question_ids


def test_a_draw_as_large_as_the_bank_asks_every_question(quiz) -> None:
    services.question_create(lesson=quiz, text="1?", kind="short", accepted_answers=["a"])
    services.question_create(lesson=quiz, text="2?", kind="short", accepted_answers=["b"])
    services.lesson_update(lesson=quiz, draw_count=5)
    assert services.quiz_draw(lesson=quiz) == []
    assert [q.text for q in services.quiz_questions(lesson=quiz, question_ids=[])] == ["1?", "2?"]
