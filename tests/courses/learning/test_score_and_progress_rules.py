"""One course score for the certificate decision and the analytics, one progress percentage for the
learner's page, the analytics table and its CSV (issue 10 item 3: the copies rounded differently)."""

from __future__ import annotations

from decimal import Decimal

from courses.selectors import progress_percent, score_of_course


def test_course_score_rounds_half_up_to_the_hundredth() -> None:
    # 25.125 would be 25.12 half-even (the analytics' former rounding), 25.13 for the certificate.
    assert score_of_course(best={1: Decimal("50.25"), 2: Decimal("0.00")}, quiz_ids=[1, 2]) == Decimal("25.13")


def test_course_score_counts_a_quiz_never_taken_as_zero_and_is_100_without_quiz() -> None:
    assert score_of_course(best={1: Decimal("90.00")}, quiz_ids=[1, 2, 3]) == Decimal("30.00")
    assert score_of_course(best={}, quiz_ids=[]) == Decimal("100.00")


def test_progress_percent_is_a_decimal_to_the_tenth_half_up() -> None:
    assert progress_percent(done=1, total=3) == Decimal("33.3")
    assert progress_percent(done=2, total=3) == Decimal("66.7")
    assert progress_percent(done=1, total=16) == Decimal("6.3")  # 6.25: half up, not half even
    assert progress_percent(done=0, total=0) == Decimal("0.0")
