"""Discussions (issue 14 item 9): threads per lesson, following a thread, Markdown with mentions, a reported
post shows it was reported, and moderators see the open reports counted in the navigation."""

from __future__ import annotations

import pytest
from django.test import Client

from courses import services
from courses.models import Lesson, Notification, PostFollow
from mooc_platform.accounts.models import User
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import host_of

pytestmark = pytest.mark.django_db


def _client(tenant, user: User) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    client.force_login(user)
    return client


def test_threads_about_a_lesson_are_filtered_and_counted_on_the_lesson(demo, in_demo) -> None:
    course = CourseFactory()
    learner = UserFactory(full_name="Lou Learner")
    EnrollmentFactory(course=course, user=learner)
    reading = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
    client = _client(demo, learner)
    posted = client.post(f"/courses/{course.slug}/discussion/", {"action": "post", "body": "About **reading**",
                                                                 "lesson": str(reading.pk)})
    assert posted["Location"] == f"/courses/{course.slug}/discussion/?lesson={reading.pk}"
    client.post(f"/courses/{course.slug}/discussion/", {"action": "post", "body": "General question"})
    about = client.get(f"/courses/{course.slug}/discussion/?lesson={reading.pk}").content.decode()
    assert about.count('data-testid="post"') == 1 and "<strong>reading</strong>" in about
    everything = client.get(f"/courses/{course.slug}/discussion/").content.decode()
    assert everything.count('data-testid="post"') == 2 and f'href="?lesson={reading.pk}"' in everything
    lesson_page = client.get(f"/courses/{course.slug}/lessons/{reading.pk}/").content.decode()
    assert "Discuss this lesson (1 thread)" in lesson_page
    other = CourseFactory()
    foreign = Lesson.objects.filter(module__course=other).first()
    assert client.get(f"/courses/{course.slug}/discussion/?lesson={foreign.pk}").status_code == 404
    assert client.get(f"/courses/{course.slug}/discussion/?lesson=abc").status_code == 200  # ignored, not a 500


def test_follow_and_stop_following_from_the_page(demo, in_demo) -> None:
    course = CourseFactory()
    author, reader = UserFactory(full_name="Ann Author"), UserFactory(full_name="Rita Reader")
    for user in (author, reader):
        EnrollmentFactory(course=course, user=user)
    thread = services.post_create(course=course, author=author, body="Question")
    client = _client(demo, reader)
    page = client.get(f"/courses/{course.slug}/discussion/").content.decode()
    assert 'data-testid="follow"' in page
    followed = client.post(f"/courses/{course.slug}/discussion/", {"action": "follow", "post": str(thread.pk)},
                           follow=True).content.decode()
    assert "You follow this thread" in followed and 'data-testid="unfollow"' in followed
    assert PostFollow.objects.filter(post=thread, user=reader).exists()
    services.post_create(course=course, author=author, parent=thread, body="More details")
    assert Notification.objects.filter(user=reader, kind="followed").count() == 1
    client.post(f"/courses/{course.slug}/discussion/", {"action": "unfollow", "post": str(thread.pk)})
    services.post_create(course=course, author=author, parent=thread, body="Even more")
    assert Notification.objects.filter(user=reader, kind="followed").count() == 1


def test_a_reported_post_shows_it_and_moderators_see_the_count(demo, in_demo) -> None:
    course = CourseFactory()
    author, reporter = UserFactory(full_name="Ann Author"), UserFactory(full_name="Rob Reporter")
    for user in (author, reporter):
        EnrollmentFactory(course=course, user=user)
    post = services.post_create(course=course, author=author, body="Buy cheap watches")
    services.post_report(post=post, reporter=reporter, reason="spam")
    page = _client(demo, author).get(f"/courses/{course.slug}/discussion/").content.decode()
    assert 'data-testid="reported"' in page and "a moderator will look at it" in page
    assert 'data-testid="nav-reports"' not in page
    admin = User.objects.get(email="admin@demo.test")
    from courses.models import PostReport

    open_reports = PostReport.objects.filter(resolved_at__isnull=True).count()
    staff_page = _client(demo, admin).get("/").content.decode()
    assert f'data-testid="nav-reports">{open_reports}<' in staff_page
    services.post_hide(post=post, moderator=admin)
    page = _client(demo, author).get(f"/courses/{course.slug}/discussion/").content.decode()
    assert 'data-testid="reported"' not in page  # hidden: the author's own view no longer lists it
