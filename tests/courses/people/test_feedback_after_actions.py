"""Every action of the administrators' pages says what it did (issue 13): reactivating a user, restoring a hidden
post and dismissing a report answer with a message, in the organisation's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.models import Post, PostReport
from mooc_platform.accounts.models import User
from tests.factories import CourseFactory, UserFactory
from tests.helpers import host_of, unique

pytestmark = pytest.mark.django_db


def _admin_client(tenant) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=f"admin@{tenant.slug}.test"))
    return client


def test_reactivating_a_user_says_so(demo) -> None:
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        target = UserFactory(email=f"{unique('r')}@example.org")
        services.user_deactivate(user=target, actor=admin)
    page = _admin_client(demo).post("/manage/users/", {"action": "reactivate", "user": target.pk}, follow=True)
    assert f"{target.email} is active again and can sign in." in page.content.decode()
    with schema_context(demo.schema_name):
        assert User.objects.get(pk=target.pk).is_active


def test_restoring_a_post_and_dismissing_a_report_say_so_in_french_on_acme(acme) -> None:
    with schema_context(acme.schema_name):
        admin = User.objects.get(email="admin@acme.test")
        course = CourseFactory(quiz=False)
        post = Post.objects.create(course=course, author=course.created_by, body="hello")
        report = PostReport.objects.create(post=post, reporter=admin, reason="spam")
        services.post_hide(post=post, moderator=admin, reason="spam")
        other = PostReport.objects.create(post=Post.objects.create(course=course, author=admin, body="fine"),
                                          reporter=course.created_by, reason="mistake")
    client = _admin_client(acme)
    restored = client.post("/teach/moderation/", {"action": "restore", "report": report.pk}, follow=True)
    assert "Message rétabli : il est de nouveau visible." in restored.content.decode()
    dismissed = client.post("/teach/moderation/", {"action": "dismiss", "report": other.pk}, follow=True)
    assert "Signalement classé : le message reste tel quel." in dismissed.content.decode()
    with schema_context(acme.schema_name):
        assert Post.objects.get(pk=post.pk).hidden_at is None
        assert PostReport.objects.get(pk=other.pk).resolved_at is not None
