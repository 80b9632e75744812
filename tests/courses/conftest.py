"""Factories of the courses tests. Tenant-schema rows are not flushed after transactional tests
(tests/conftest.py), so every e-mail and slug made here is unique."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from courses import services
from courses.models import Course, Lesson, Module
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.conftest import api_client, api_token, host_of

PASSWORD = DEMO_PASSWORD


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def seats_leave_free(tenant: Tenant, free: int) -> None:
    """Leave exactly `free` seats in the demo tenant's subscription."""
    with schema_context(tenant.schema_name):
        used = services.seats_used()
    Tenant.objects.filter(pk=tenant.pk).update(seat_limit=used + free)


@functools.cache
def _password_hash() -> str:
    """Hash the demo password once per session: hashing it per user costs ~0.2 s with PBKDF2."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def user_make(*, role: str = User.Role.LEARNER, email: str | None = None, full_name: str = "Test Person",
              **extra: Any) -> User:
    """A user of the current schema with the demo password."""
    return User.objects.create(email=email or f"{unique(role)}@example.org", password=_password_hash(), role=role,
                               full_name=full_name, **extra)


def course_make(*, author: User, visibility: str = Course.Visibility.MOOC, publish: bool = True,
                pass_mark: str = "50.00", quiz: bool = True) -> Course:
    """A course with one module: a text lesson, and a quiz of two questions (one single, one multiple
    choice) when `quiz`. The correct answers are the choices whose text starts with "right"."""
    course = services.course_create(actor=author, title="Course " + unique(), slug=unique("course"),
                                    visibility=visibility, pass_mark=Decimal(pass_mark))
    module = services.module_create(course=course, title="Week 1")
    services.lesson_create(module=module, title="Reading", kind=Lesson.Kind.TEXT, body_markdown="# Hello\n\n**bold**")
    if quiz:
        lesson = services.lesson_create(module=module, title="Quiz", kind=Lesson.Kind.QUIZ, max_attempts=2)
        services.question_create(lesson=lesson, text="2 + 2?", kind="single",
                                 choices=[("right 4", True), ("wrong 5", False)])
        services.question_create(lesson=lesson, text="Even numbers?", kind="multiple",
                                 choices=[("right 2", True), ("right 8", True), ("wrong 3", False)])
    if publish:
        services.course_publish(course=course, actor=author)
    return course


def quiz_of(course: Course) -> Lesson:
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


@pytest.fixture
def demo_host(demo: Any) -> str:
    return host_of(demo)


@pytest.fixture
def acme_host(acme: Any) -> str:
    return host_of(acme)


def client_for(host: str, email: str) -> Any:
    return api_client(host, api_token(host, email))


@pytest.fixture
def in_demo_schema(demo: Any) -> Iterator[Any]:
    with schema_context(demo.schema_name):
        yield demo
    connection.set_schema_to_public()


__all__ = ["PASSWORD", "Module", "answers_for", "client_for", "course_make", "quiz_of", "unique", "user_make"]
