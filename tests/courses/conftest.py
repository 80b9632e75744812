"""Fixtures of the courses tests. Rows come from tests/factories.py, helpers from tests/courses/helpers.py;
the old helper names below stay importable from here for tests written before the factories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from courses.models import Course, Module
from mooc_platform.accounts.models import User
from tests.courses.helpers import PASSWORD, answers_for, quiz_of, seats_leave_free
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, api_token, client_for, host_of, unique


def user_make(**fields: Any) -> User:
    """Old name of `UserFactory(**fields)`."""
    return UserFactory(**fields)


def course_make(**fields: Any) -> Course:
    """Old name of `CourseFactory(**fields)`."""
    return CourseFactory(**fields)


@pytest.fixture
def demo_host(demo: Any) -> str:
    return host_of(demo)


@pytest.fixture
def acme_host(acme: Any) -> str:
    return host_of(acme)


@pytest.fixture
def in_demo_schema(demo: Any) -> Iterator[Any]:
    with schema_context(demo.schema_name):
        yield demo
    connection.set_schema_to_public()


__all__ = ["PASSWORD", "Module", "answers_for", "api_client", "api_token", "client_for", "course_make", "quiz_of",
           "seats_leave_free", "unique", "user_make"]
