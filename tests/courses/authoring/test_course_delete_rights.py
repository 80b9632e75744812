"""Issue 11 item 9: only a course's owner or an administrator deletes it; a course with learners is
deleted only when confirmed, and every deletion is audited."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from courses import services
from courses.models import Course
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent
from tests.conftest import api_client
from tests.courses.conftest import course_make, user_make

pytestmark = pytest.mark.django_db


def _token(user: User) -> str:
    from mooc_platform.accounts.tokens import token_issue

    return token_issue(user=user)[1]


@pytest.fixture
def people(demo):
    with schema_context(demo.schema_name):
        owner = user_make(role=User.Role.INSTRUCTOR)
        other = user_make(role=User.Role.INSTRUCTOR)
        admin = User.objects.get(email="admin@demo.test")
        learner = user_make()
        course = course_make(author=owner, quiz=False)
        tokens = {name: _token(user) for name, user in
                  {"owner": owner, "other": other, "admin": admin, "learner": learner}.items()}
    return {"course": course, "learner": learner, "owner": owner, "tokens": tokens}


def _delete(demo_host, token, course, query=""):
    return api_client(demo_host, token).delete(f"/api/v1/courses/{course.pk}/{query}",
                                               HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")


def test_another_instructor_cannot_delete_a_course(demo, people):
    host = demo.get_primary_domain().domain
    response = _delete(host, people["tokens"]["other"], people["course"])
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert _delete(host, people["tokens"]["learner"], people["course"]).status_code == 403
    with schema_context(demo.schema_name):
        assert Course.objects.filter(pk=people["course"].pk).exists()
    assert not AuditEvent.objects.filter(action="course.deleted").exists()


def test_owner_deletes_a_course_without_learners_and_it_is_audited(demo, people):
    host = demo.get_primary_domain().domain
    course = people["course"]
    assert _delete(host, people["tokens"]["owner"], course).status_code == 204
    with schema_context(demo.schema_name):
        assert not Course.objects.filter(pk=course.pk).exists()
    event = AuditEvent.objects.get(action="course.deleted")
    assert (event.tenant_id, event.actor_email, event.actor_schema, event.target_type, event.target_id,
            event.ip_address) == (demo.pk, people["owner"].email, demo.schema_name, "Course", str(course.pk),
                                  "198.51.100.7")
    assert event.before == {"id": course.pk, "title": course.title, "slug": course.slug, "status": "published",
                            "learners": 0}


def test_a_course_with_learners_needs_confirmation(demo, people):
    host = demo.get_primary_domain().domain
    course = people["course"]
    with schema_context(demo.schema_name):
        services.enrollment_create(course=course, user=people["learner"])
    response = _delete(host, people["tokens"]["admin"], course)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "confirmation_required"
    assert response.json()["error"]["details"] == {"learners": 1}
    assert not AuditEvent.objects.filter(action="course.deleted").exists()
    assert _delete(host, people["tokens"]["admin"], course, "?confirm=true").status_code == 204
    with schema_context(demo.schema_name):
        assert not Course.objects.filter(pk=course.pk).exists()
    event = AuditEvent.objects.get(action="course.deleted")
    assert (event.actor_email, event.before["learners"]) == ("admin@demo.test", 1)
