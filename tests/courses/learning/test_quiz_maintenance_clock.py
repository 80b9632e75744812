"""Issue 9 item 6 — a learner whose quiz attempt or deadline falls in a maintenance window is not scored 0
for it: the quiz clock stops while the organisation is in maintenance (GCS art. 8). The windows come from
`maintenance.selectors` (SPEC §2: courses → maintenance, selectors only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from courses import services
from courses.errors import QuizClosedError
from courses.models import Lesson
from maintenance.services import maintenance_window_cancel, maintenance_window_schedule
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
SAT_NOON = datetime(2027, 3, 27, 12, tzinfo=PARIS).astimezone(UTC)  # window: Saturday 12:00 → 18:00
M = timedelta(minutes=1)
H = timedelta(hours=1)


def _window(tenant, *, hours: float = 6):
    return maintenance_window_schedule(
        start=SAT_NOON, end=SAT_NOON + timedelta(hours=hours), scope="selected", tenants=[tenant],
        reason="upgrade", message_fr="Mise à jour.", message_en="Upgrade.", now=SAT_NOON - timedelta(days=3))


def _quiz(*, time_limit: int | None = None, deadline: datetime | None = None) -> Lesson:
    course = CourseFactory(author=UserFactory(role="instructor"))
    quiz = quiz_of(course)
    services.lesson_update(lesson=quiz, time_limit_minutes=time_limit, deadline=deadline, max_attempts=0)
    return quiz


def _learner(quiz: Lesson):
    learner = UserFactory()
    services.enrollment_create(course=quiz.module.course, user=learner)
    return learner


def _take(quiz: Lesson, *, started: datetime, submitted: datetime) -> Decimal:
    learner = _learner(quiz)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner, now=started)
    return services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2),
                                        now=submitted).score


def test_a_timed_attempt_cut_by_a_window_keeps_its_remaining_time_after_it(in_demo) -> None:
    quiz = _quiz(time_limit=30)
    _window(in_demo)
    started = SAT_NOON - 10 * M  # 10 minutes used before the window, 20 left after it (until 18:20)
    assert _take(quiz, started=started, submitted=SAT_NOON + 6 * H + 15 * M) == Decimal("100.00")
    grace = timedelta(seconds=30)
    assert _take(quiz, started=started, submitted=SAT_NOON + 6 * H + 20 * M + grace) == Decimal("100.00")
    assert _take(quiz, started=started, submitted=SAT_NOON + 6 * H + 20 * M + grace + timedelta(seconds=1)) == \
        Decimal("0.00")


def test_an_attempt_ending_exactly_when_the_window_starts_gets_no_time_back(in_demo) -> None:
    quiz = _quiz(time_limit=30)
    _window(in_demo)
    assert _take(quiz, started=SAT_NOON - 30 * M, submitted=SAT_NOON + 6 * H + timedelta(seconds=15)) == \
        Decimal("0.00")
    assert _take(quiz, started=SAT_NOON - 30 * M + timedelta(seconds=1),  # one second inside the window
                 submitted=SAT_NOON + 6 * H + timedelta(seconds=15)) == Decimal("100.00")


def test_without_a_window_a_late_attempt_still_scores_0(in_demo) -> None:
    quiz = _quiz(time_limit=30)
    window = _window(in_demo)
    maintenance_window_cancel(window=window, now=SAT_NOON - H)
    assert _take(quiz, started=SAT_NOON - 10 * M, submitted=SAT_NOON + 6 * H + 15 * M) == Decimal("0.00")
    assert _take(quiz, started=SAT_NOON - 10 * M, submitted=SAT_NOON + 20 * M) == Decimal("100.00")


def test_an_attempt_running_into_a_deadline_inside_a_window_is_not_scored_0(in_demo) -> None:
    quiz = _quiz(deadline=SAT_NOON + 3 * H)  # set before the window existed
    _window(in_demo)
    # Started at 11:00 with the deadline at 15:00: 3 hours of it were lost to the window, given back after.
    assert _take(quiz, started=SAT_NOON - H, submitted=SAT_NOON + 6 * H + 30 * M) == Decimal("100.00")
    assert _take(quiz, started=SAT_NOON - H, submitted=SAT_NOON + 9 * H + M) == Decimal("0.00")


def test_a_deadline_inside_a_window_moves_by_the_window_for_learners_who_had_not_started(in_demo) -> None:
    quiz = _quiz(deadline=SAT_NOON + 3 * H)
    _window(in_demo)
    effective = SAT_NOON + 9 * H  # 15:00 + the 6 hours of the window: 21:00
    assert _take(quiz, started=SAT_NOON + 6 * H + 30 * M, submitted=SAT_NOON + 6 * H + 45 * M) == Decimal("100.00")
    learner = _learner(quiz)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner, now=effective)
    assert attempt.expires_at == effective
    with pytest.raises(QuizClosedError) as closed:
        services.quiz_attempt_start(lesson=quiz, user=_learner(quiz), now=effective + timedelta(seconds=1))
    assert closed.value.code == "quiz_deadline_passed"


def test_the_lesson_page_shows_the_moved_deadline_as_still_open(in_demo, demo) -> None:
    import time_machine
    from django.test import Client

    from tests.helpers import host_of

    quiz = _quiz(deadline=SAT_NOON + 3 * H)
    _window(in_demo)
    learner = _learner(quiz)
    url = f"/courses/{quiz.module.course.slug}/lessons/{quiz.pk}/"
    for moment, passed in ((SAT_NOON + 7 * H, False), (SAT_NOON + 9 * H + M, True)):
        with time_machine.travel(moment, tick=False):
            client = Client(HTTP_HOST=host_of(demo))
            client.force_login(learner)
            page = client.get(url)
        assert page.status_code == 200
        assert ("The deadline of this quiz has passed." in page.content.decode()) is passed
