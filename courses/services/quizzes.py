"""Quiz questions as instructors write them, and the scoring rule of each question kind (issue 14 item 4).

A question is right or wrong as a whole (no partial credit): the quiz score is the share of questions right,
in %, to the hundredth, half up (`quiz_grade`). What each kind accepts as an answer:

- single choice, true/false: `[choice_id]` — exactly the correct choice;
- multiple choice: `[choice_id, …]` — exactly the set of correct choices;
- short text: `"text"` — one of the accepted answers, ignoring case, surrounding and repeated spaces;
- numeric: `"3.14"` or `"3,14"` (or a number) — within `numeric_answer ± numeric_tolerance`, edges included,
  computed in `Decimal` (no binary float rounding at the edges);
- matching: `{"<left choice id>": <choice id whose right-hand item was picked>, …}` — every pair right.

Anything else (a wrong type, an unknown id, a huge string) is simply a wrong answer, never an error."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.errors import ApplicationError

from ..models import Choice, Lesson, Question

HUNDRED = Decimal("100")
MAX_ANSWER_LENGTH = 1000
NUMERIC_LIMIT = Decimal("1e15")
CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE)


# --- Scoring --------------------------------------------------------------------------------------------------


def _choice_ids(answer: Any) -> set[int] | None:
    values = answer if isinstance(answer, list | tuple) else [answer]
    ids = set()
    for value in values[:100]:
        if isinstance(value, bool):
            return None
        try:
            ids.add(int(value))
        except (TypeError, ValueError, OverflowError):
            return None
    return ids


def text_normalise(value: str) -> str:
    """Case-folded, spaces trimmed and collapsed: how short-text answers are compared."""
    return re.sub(r"\s+", " ", value).strip().casefold()


def number_parse(value: Any) -> Decimal | None:
    """A learner's number: `3.14`, `3,14` (French decimal comma), ` -2 `, `1e3`; None when not a finite number
    of reasonable size."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not text or len(text) > 40:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > NUMERIC_LIMIT:
        return None
    return number


def answer_is_right(*, question: Question, choices: list[Choice], answer: Any) -> bool:
    """Whether `answer` is right for `question` (`choices`: its Choice rows, already loaded)."""
    if answer is None:
        return False
    kind = question.kind
    if kind in CHOICE_KINDS:
        chosen = _choice_ids(answer)
        if chosen is None:
            return False
        if kind != Question.Kind.MULTIPLE and len(chosen) != 1:
            return False
        return chosen == {c.pk for c in choices if c.is_correct}
    if kind == Question.Kind.SHORT:
        if isinstance(answer, list | tuple) and len(answer) == 1:
            answer = answer[0]
        if not isinstance(answer, str) or len(answer) > MAX_ANSWER_LENGTH:
            return False
        given = text_normalise(answer)
        return bool(given) and given in {text_normalise(str(a)) for a in question.accepted_answers or []}
    if kind == Question.Kind.NUMERIC:
        if isinstance(answer, list | tuple) and len(answer) == 1:
            answer = answer[0]
        number = number_parse(answer)
        if number is None or question.numeric_answer is None:
            return False
        return abs(number - question.numeric_answer) <= (question.numeric_tolerance or Decimal("0"))
    if kind == Question.Kind.MATCHING:
        if not isinstance(answer, dict) or not choices:
            return False
        for choice in choices:
            picked = answer.get(str(choice.pk), answer.get(choice.pk))  # type: ignore[call-overload]
            try:
                if isinstance(picked, bool) or int(picked) != choice.pk:
                    return False
            except (TypeError, ValueError, OverflowError):
                return False
        return True
    return False


def quiz_questions(*, lesson: Lesson, question_ids: list[int] | None = None) -> list[Question]:
    """The questions of an attempt, choices prefetched, in its order: those drawn for it (`question_ids`), or every
    question of the quiz in position order when nothing was drawn."""
    questions = Question.objects.filter(lesson=lesson).prefetch_related("choices").order_by("position", "id")
    if not question_ids:
        return list(questions)
    by_id = {q.pk: q for q in questions.filter(pk__in=question_ids)}
    return [by_id[pk] for pk in question_ids if pk in by_id]


def quiz_draw(*, lesson: Lesson) -> list[int]:
    """The question ids drawn at random for a new attempt: `draw_count` of the quiz's bank, in the bank's order
    (empty when the quiz asks every question)."""
    ids = list(Question.objects.filter(lesson=lesson).order_by("position", "id").values_list("pk", flat=True))
    if not lesson.draw_count or lesson.draw_count >= len(ids):
        return []
    drawn = set(secrets.SystemRandom().sample(ids, lesson.draw_count))
    return [pk for pk in ids if pk in drawn]


def quiz_grade(*, lesson: Lesson, answers: dict[str, Any], question_ids: list[int] | None = None) -> Decimal:
    """The share of the attempt's questions (`quiz_questions`) answered right, in %, to the hundredth, half up
    (100 without questions)."""
    questions = quiz_questions(lesson=lesson, question_ids=question_ids)
    if not questions:
        return HUNDRED.quantize(Decimal("0.01"))
    right = sum(answer_is_right(question=q, choices=list(q.choices.all()), answer=answers.get(str(q.pk)))
                for q in questions)
    return (Decimal(right) * HUNDRED / len(questions)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def answers_clean(*, answers: Any) -> dict[str, Any]:
    """What is kept of a submitted answer sheet: question ids as keys, values of a bounded size."""
    if not isinstance(answers, dict):
        return {}
    clean: dict[str, Any] = {}
    for key, value in list(answers.items())[:500]:
        if not str(key).isdigit() or len(str(key)) > 18:
            continue
        if isinstance(value, str):
            value = value[:MAX_ANSWER_LENGTH]
        elif isinstance(value, list | tuple):
            value = [v for v in value[:100] if isinstance(v, int | str) and len(str(v)) <= MAX_ANSWER_LENGTH]
        elif isinstance(value, dict):
            value = {str(k)[:18]: v for k, v in list(value.items())[:100] if isinstance(v, int | str)
                     and len(str(v)) <= 18}
        elif not isinstance(value, int | float) or isinstance(value, bool):
            continue
        clean[str(key)] = value
    return clean


# --- Review of a submitted attempt ------------------------------------------------------------------------------


@dataclass
class ChoiceReview:
    choice: Choice
    chosen: bool
    picked_match: str = ""  # matching: the right-hand item the learner paired with this one


@dataclass
class QuestionReview:
    question: Question
    right: bool
    given_text: str = ""
    choices: list[ChoiceReview] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    expected: str = ""


def attempt_review(*, questions: list[Question], answers: dict[str, Any]) -> list[QuestionReview]:
    """Per question: right or wrong, what was given, the feedback of the chosen options and what was expected.
    `questions` come with their choices prefetched (no query here)."""
    reviews = []
    for question in questions:
        choices = list(question.choices.all())
        answer = answers.get(str(question.pk))
        review = QuestionReview(question=question, right=answer_is_right(question=question, choices=choices,
                                                                          answer=answer))
        if question.kind in CHOICE_KINDS:
            chosen = _choice_ids(answer) or set()
            review.choices = [ChoiceReview(choice=c, chosen=c.pk in chosen) for c in choices]
            review.feedback = [c.feedback for c in choices if c.pk in chosen and c.feedback]
            review.expected = ", ".join(c.text for c in choices if c.is_correct)
        elif question.kind == Question.Kind.MATCHING:
            by_id = {c.pk: c for c in choices}
            picks = answer if isinstance(answer, dict) else {}
            for c in choices:
                picked = _choice_ids(picks.get(str(c.pk))) or set()
                match = by_id.get(next(iter(picked))) if len(picked) == 1 else None
                review.choices.append(ChoiceReview(choice=c, chosen=match is not None and match.pk == c.pk,
                                                   picked_match=match.match_text if match else ""))
            review.expected = "; ".join(f"{c.text} → {c.match_text}" for c in choices)
        else:
            if isinstance(answer, list | tuple) and len(answer) == 1:
                answer = answer[0]
            review.given_text = str(answer)[:MAX_ANSWER_LENGTH] if answer not in (None, "") else ""
            if question.kind == Question.Kind.SHORT:
                review.expected = " / ".join(str(a) for a in question.accepted_answers or [])
            elif question.numeric_answer is not None:
                answer_text = number_text(question.numeric_answer)
                review.expected = (f"{answer_text} ± {number_text(question.numeric_tolerance)}"
                                   if question.numeric_tolerance else answer_text)
        reviews.append(review)
    return reviews


def number_text(number: Decimal | None) -> str:
    """A stored number as an instructor typed it: `0.5`, `3`, `1000` (no trailing zeros, no exponent)."""
    if number is None:
        return ""
    return format(number.normalize(), "f")


# --- Authoring ----------------------------------------------------------------------------------------------------


def _invalid(message: str, **details: list[str]) -> ApplicationError:
    return ApplicationError(message, code=Code.VALIDATION_ERROR, details=details)


def _choice_rows(choices: list[Any]) -> list[dict[str, Any]]:
    """Choices as dicts; `(text, is_correct)` pairs are accepted too (the first form of the API)."""
    rows = []
    for choice in choices[:100]:
        if isinstance(choice, dict):
            rows.append(choice)
        elif isinstance(choice, list | tuple) and len(choice) == 2:
            rows.append({"text": choice[0], "is_correct": choice[1]})
    return rows


def _question_fields_check(*, kind: str, text: str, choices: list[Any], accepted_answers: list[str],
                           numeric_answer: Any, numeric_tolerance: Any) -> dict[str, Any]:
    """Validated fields of a question of `kind` (ApplicationError with per-field details otherwise)."""
    choices = _choice_rows(choices)
    if kind not in Question.Kind.values:
        raise _invalid(_("Unknown question kind."), kind=[_("Unknown question kind.")])
    text = (text or "").strip()
    if not text:
        raise _invalid(_("A question needs a text."), text=[_("A question needs a text.")])
    fields: dict[str, Any] = {"text": text, "accepted_answers": [], "numeric_answer": None,
                              "numeric_tolerance": Decimal("0"), "choices": []}
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        rows = [{"text": str(c.get("text", "")).strip()[:500], "is_correct": bool(c.get("is_correct")),
                 "feedback": str(c.get("feedback", "") or "").strip()[:500]} for c in choices]
        rows = [r for r in rows if r["text"]]
        correct = sum(1 for r in rows if r["is_correct"])
        if len(rows) < 2:
            raise _invalid(_("A question needs a text and at least two choices."),
                           choices=[_("Give at least two choices.")])
        if (kind == Question.Kind.SINGLE and correct != 1) or correct < 1:
            message = _("A single-choice question has exactly one correct choice; a multiple-choice question at "
                        "least one.")
            raise _invalid(message, choices=[message])
        fields["choices"] = rows
    elif kind == Question.Kind.TRUE_FALSE:
        rows = [{"text": str(c.get("text", "")).strip()[:500], "is_correct": bool(c.get("is_correct")),
                 "feedback": str(c.get("feedback", "") or "").strip()[:500]} for c in choices][:2]
        if len(rows) != 2 or sum(r["is_correct"] for r in rows) != 1:
            message = _("Say whether the statement is true or false.")
            raise _invalid(message, choices=[message])
        fields["choices"] = rows
    elif kind == Question.Kind.SHORT:
        answers = [str(a).strip()[:200] for a in accepted_answers if str(a).strip()][:50]
        if not answers:
            message = _("Give at least one accepted answer.")
            raise _invalid(message, accepted_answers=[message])
        fields["accepted_answers"] = answers
    elif kind == Question.Kind.NUMERIC:
        answer = number_parse(numeric_answer)
        tolerance = number_parse(numeric_tolerance) if str(numeric_tolerance or "").strip() else Decimal("0")
        errors: dict[str, list[str]] = {}
        if answer is None:
            errors["numeric_answer"] = [_("Give the expected answer as a number.")]
        if tolerance is None or tolerance < 0:
            errors["numeric_tolerance"] = [_("The tolerance is a number, zero or more.")]
        if errors:
            raise ApplicationError(_("The numeric answer is not valid."), code=Code.VALIDATION_ERROR, details=errors)
        assert answer is not None and tolerance is not None
        fields["numeric_answer"] = answer.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
        fields["numeric_tolerance"] = tolerance.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
    elif kind == Question.Kind.MATCHING:
        rows = [{"text": str(c.get("text", "")).strip()[:500], "match_text": str(c.get("match_text", "")).strip()[:500],
                 "is_correct": True, "feedback": ""} for c in choices]
        rows = [r for r in rows if r["text"] or r["match_text"]]
        if len(rows) < 2 or any(not r["text"] or not r["match_text"] for r in rows):
            message = _("Give at least two pairs, each with both items.")
            raise _invalid(message, choices=[message])
        if len({text_normalise(r["match_text"]) for r in rows}) != len(rows):
            message = _("Each right-hand item must be different.")
            raise _invalid(message, choices=[message])
        fields["choices"] = rows
    return fields


def true_false_choices(*, correct: bool, language: str, feedback_true: str = "",
                       feedback_false: str = "") -> list[dict[str, Any]]:
    """The two options of a true/false question, named in the course's language."""
    with translation.override(language):
        return [{"text": _("True"), "is_correct": correct, "feedback": feedback_true},
                {"text": _("False"), "is_correct": not correct, "feedback": feedback_false}]


@transaction.atomic
def question_create(*, lesson: Lesson, text: str, kind: str, choices: list[Any] | None = None,
                    explanation: str = "", accepted_answers: list[str] | None = None, numeric_answer: Any = None,
                    numeric_tolerance: Any = None) -> Question:
    """Add a question at the end of the quiz. `choices`: dicts with `text`, `is_correct`, `feedback` (and
    `match_text` for matching)."""
    if lesson.kind != Lesson.Kind.QUIZ:
        raise ApplicationError(_("Questions belong to quiz lessons."), code=Code.VALIDATION_ERROR)
    fields = _question_fields_check(kind=kind, text=text, choices=choices or [],
                                    accepted_answers=accepted_answers or [], numeric_answer=numeric_answer,
                                    numeric_tolerance=numeric_tolerance)
    rows = fields.pop("choices")
    Lesson.all_objects.select_for_update().filter(pk=lesson.pk).first()  # positions of concurrent additions
    position = (Question.objects.filter(lesson=lesson).aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(lesson=lesson, kind=kind, position=position,
                                       explanation=(explanation or "").strip(), **fields)
    Choice.objects.bulk_create([Choice(question=question, **row) for row in rows])
    return question


@transaction.atomic
def question_update(*, question: Question, text: str, kind: str, choices: list[Any] | None = None,
                    explanation: str = "", accepted_answers: list[str] | None = None, numeric_answer: Any = None,
                    numeric_tolerance: Any = None) -> Question:
    """Rewrite a question (its choices are replaced). Attempts already submitted keep their score."""
    fields = _question_fields_check(kind=kind, text=text, choices=choices or [],
                                    accepted_answers=accepted_answers or [], numeric_answer=numeric_answer,
                                    numeric_tolerance=numeric_tolerance)
    rows = fields.pop("choices")
    question = Question.objects.select_for_update().get(pk=question.pk)
    for name, value in fields.items():
        setattr(question, name, value)
    question.kind = kind
    question.explanation = (explanation or "").strip()
    question.save()
    existing = list(question.choices.order_by("id"))
    # Keep the ids of the choices in place (an open attempt's answer still points at them), add or drop the rest.
    for choice, row in zip(existing, rows, strict=False):
        for name, value in row.items():
            setattr(choice, name, value)
    Choice.objects.bulk_update(existing[:len(rows)], ["text", "is_correct", "feedback", "match_text"])
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(rows):]]).delete()
    Choice.objects.bulk_create([Choice(question=question, **row) for row in rows[len(existing):]])
    return question


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Move a question one place up or down in its quiz."""
    siblings = list(Question.objects.select_for_update().filter(lesson_id=question.lesson_id)
                    .order_by("position", "id"))
    for index, sibling in enumerate(siblings):
        sibling.position = index + 1
    index = next(i for i, s in enumerate(siblings) if s.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = siblings[other].position, siblings[index].position
    Question.objects.bulk_update(siblings, ["position"])


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question and its choices; submitted attempts keep their score."""
    Question.objects.filter(pk=question.pk).delete()
