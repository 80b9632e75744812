"""Helpers of the courses tests: seats, quiz answers. Users and courses come from tests/factories.py."""

from __future__ import annotations

from django_tenants.utils import schema_context

from courses import services
from courses.models import Lesson
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant

PASSWORD = DEMO_PASSWORD


def seats_leave_free(tenant: Tenant, free: int) -> None:
    """Leave exactly `free` seats in the tenant's subscription."""
    with schema_context(tenant.schema_name):
        used = services.seats_taken()
    Tenant.objects.filter(pk=tenant.pk).update(seat_limit=used + free)


def quiz_of(course: object) -> Lesson:
    return Lesson.objects.get(module__course=course, kind=Lesson.Kind.QUIZ)


def answers_for(lesson: Lesson, *, right: int) -> dict[str, list[int]]:
    """Answers getting the first `right` questions right and the others wrong."""
    answers = {}
    for index, question in enumerate(lesson.questions.order_by("position").prefetch_related("choices")):
        choices = list(question.choices.all())
        if index < right:
            answers[str(question.pk)] = [c.pk for c in choices if c.is_correct]
        else:
            answers[str(question.pk)] = [c.pk for c in choices if not c.is_correct][:1]
    return answers
