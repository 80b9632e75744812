"""Notifications (issue 14 item 8): who is told of what (enrolment, certificate, reply, followed thread,
mention, report, deadline in 48 h), in the app with an unread count and by e-mail in the reader's language
with the organisation's name and colours — one each or a daily digest, as each user chose. The clock is moved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses import selectors, services
from courses.models import Branding, Lesson, Notification, NotificationSettings
from mooc_platform.accounts.models import User
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import client_for, host_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=PARIS)


def _kinds(user: User) -> list[tuple[str, str]]:
    return [(n.kind, selectors.notification_text(notification=n))
            for n in Notification.objects.filter(user=user).order_by("created_at", "id")]


def _page_client(tenant, user: User) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant))
    client.force_login(user)
    return client


def test_replies_followers_mentions_and_reports_are_told_to_the_right_people(in_demo) -> None:
    instructor = UserFactory(role=User.Role.INSTRUCTOR, full_name="Ines Instructor")
    course = CourseFactory(author=instructor, title="Optics")
    author, replier, follower, mentioned, bystander = (UserFactory(full_name=n) for n in (
        "Alice Author", "Rémi Replier", "Fanny Follower", "Marc Mentioned", "Bob Bystander"))
    for user in (author, replier, follower, mentioned, bystander):
        EnrollmentFactory(course=course, user=user)
    Notification.objects.filter(kind=Notification.Kind.ENROLMENT).delete()  # told at enrolment; tested below
    thread = services.post_create(course=course, author=author, body="How do lenses *focus*?")
    services.post_follow(post=thread, user=follower)
    reply = services.post_create(course=course, author=replier, parent=thread,
                                 body="Ask @marc mentioned, he knows. <script>alert(1)</script>")
    assert _kinds(author) == [("reply", "Rémi Replier replied to your post in “Optics”.")]
    assert _kinds(follower) == [("followed", "Rémi Replier replied in a thread you follow in “Optics”.")]
    assert _kinds(mentioned) == [("mention", "Rémi Replier mentioned you in the discussion of “Optics”.")]
    assert _kinds(replier) == [] and _kinds(bystander) == []
    assert "<strong>@marc mentioned</strong>" in reply.body_html and "<script>" not in reply.body_html
    assert "<em>focus</em>" in thread.body_html
    # The replier follows the thread now: the author's answer tells them (and the follower), not the author.
    services.post_create(course=course, author=author, parent=reply, body="Thanks!")
    assert [k for k, _ in _kinds(replier)] == ["followed"]
    assert [k for k, _ in _kinds(follower)] == ["followed", "followed"]
    services.post_report(post=reply, reporter=bystander, reason="rude")
    assert [k for k, _ in _kinds(instructor)] == ["report"]
    assert User.objects.get(email="admin@demo.test").notifications.filter(kind="report").count() == 1
    assert _kinds(bystander) == []


def test_enrolment_and_certificate_are_told_in_the_learners_language(in_demo) -> None:
    learner = UserFactory(language="fr")
    course = CourseFactory(title="Chimie")
    services.enrollment_create(course=course, user=learner)
    services.lesson_complete(lesson=Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT), user=learner)
    quiz = quiz_of(course)
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2))
    from django.utils import translation

    with translation.override("fr"):
        assert _kinds(learner) == [("enrolment", "Vous êtes inscrit à « Chimie »."),
                                   ("certificate", "Vous avez obtenu le certificat de « Chimie ».")]


def test_each_kind_once_and_muted_kinds_stay_out_of_the_app(in_demo) -> None:
    learner = UserFactory()
    made = services.notify(users=[learner], kind="enrolment", key="x:1", params={"course": "A"})
    again = services.notify(users=[learner], kind="enrolment", key="x:1", params={"course": "A"})
    assert len(made) == 1 and again == [] and Notification.objects.filter(user=learner).count() == 1
    services.notification_settings_update(user=learner, in_app=["reply"], email=["enrolment"], daily_digest=False)
    # Muted in the app: made for its e-mail, not shown in the app.
    (emailed,) = services.notify(users=[learner], kind="enrolment", key="x:2", params={"course": "B"})
    assert not emailed.in_app
    assert [n.key for n in selectors.notifications_of(user=learner)] == ["x:1"]
    assert selectors.notifications_unread_count(user=learner) == 1
    # Muted both in the app and by e-mail: not even made.
    services.notification_settings_update(user=learner, in_app=["reply"], email=[], daily_digest=False)
    assert services.notify(users=[learner], kind="enrolment", key="x:3", params={"course": "C"}) == []


def test_an_email_each_carries_the_organisations_look_in_the_readers_language(in_demo) -> None:
    Branding.objects.update_or_create(pk=1, defaults={"primary_color": "#7c2d12", "name": "Université de Démo",
                                                      "email_sender_name": "Université de Démo"})
    learner = UserFactory(language="fr")
    made = services.notify(users=[learner], kind="enrolment", key="y:1", params={"course": "Chimie d'été"},
                           url="/courses/chimie/")
    mail.outbox.clear()
    assert services.notifications_email(notification_ids=[n.pk for n in made]) == 1
    assert services.notifications_email(notification_ids=[n.pk for n in made]) == 0  # never twice
    message = mail.outbox[0]
    assert message.from_email.startswith("Université de Démo <") or "=?utf-8?" in message.from_email
    assert message.subject == "Université de Démo : Vous êtes inscrit à « Chimie d'été »."
    assert "Chimie d'été" in message.body and "&#x27;" not in message.body
    assert "/courses/chimie/" in message.body and "/my/notifications/" in message.body
    html = message.alternatives[0][0]
    assert "background:#7c2d12" in html and "Université de Démo" in html and "Ouvrir la page" in html
    Branding.objects.filter(pk=1).delete()


def test_the_daily_digest_gathers_what_was_not_read_once(in_demo) -> None:
    digester, reader = UserFactory(), UserFactory()
    services.notification_settings_update(user=digester, in_app=services.KINDS, email=services.KINDS,
                                          daily_digest=True)
    with time_machine.travel(NOW, tick=False):
        for key in ("a", "b", "c"):
            services.notify(users=[digester, reader], kind="enrolment", key=key, params={"course": key.upper()})
        services.notifications_mark_read(user=digester, ids=[Notification.objects.get(user=digester, key="c").pk])
    mail.outbox.clear()
    with time_machine.travel(NOW + timedelta(hours=21), tick=False):
        assert services.notifications_digest_send() == 1
        assert services.notifications_digest_send() == 0
    (message,) = mail.outbox
    assert message.to == [digester.email]
    assert "2 new notifications" in message.subject
    assert "“A”" in message.body and "“B”" in message.body and "“C”" not in message.body


def test_deadline_in_48_hours_is_told_once_to_learners_who_have_not_done_the_quiz(in_demo) -> None:
    course = CourseFactory(title="Optics")
    waiting, done, later_course_learner = UserFactory(), UserFactory(), UserFactory()
    for user in (waiting, done):
        EnrollmentFactory(course=course, user=user)
    quiz = quiz_of(course)
    Lesson.objects.filter(pk=quiz.pk).update(deadline=NOW + timedelta(hours=30))
    later = CourseFactory()
    EnrollmentFactory(course=later, user=later_course_learner)
    Lesson.objects.filter(pk=quiz_of(later).pk).update(deadline=NOW + timedelta(hours=60))
    attempt = services.quiz_attempt_start(lesson=quiz, user=done, now=NOW - timedelta(hours=1))
    services.quiz_attempt_submit(attempt=attempt, user=done, answers=answers_for(quiz, right=2),
                                 now=NOW - timedelta(minutes=50))
    Notification.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        assert services.deadline_reminders_send() == 1
        assert services.deadline_reminders_send() == 0
    (notification,) = Notification.objects.all()
    assert notification.user == waiting and notification.kind == "deadline"
    assert selectors.notification_text(notification=notification) == \
        "The quiz “Quiz” of “Optics” closes on March 13, 2031, 4 p.m.."
    with time_machine.travel(NOW + timedelta(hours=13), tick=False):  # the later quiz is 47 h away now
        assert services.deadline_reminders_send() == 1
    assert Notification.objects.get(kind="deadline", user=later_course_learner)


def test_api_lists_marks_read_and_saves_choices(demo, in_demo) -> None:
    learner = UserFactory()
    for key in ("a", "b", "c"):
        services.notify(users=[learner], kind="enrolment", key=key, params={"course": key})
    api = client_for(host_of(demo), learner.email)
    listed = api.get("/api/v1/notifications/")
    assert listed["X-Unread-Count"] == "3" and listed.json()["count"] == 3
    first = listed.json()["results"][0]
    assert first["text"] == "You are enrolled in “c”." and first["read_at"] is None
    marked = api.post("/api/v1/notifications/read/", {"ids": [first["id"]]}, format="json").json()
    assert marked == {"marked": 1, "unread_count": 2}
    assert api.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 2, "unread_count": 0}
    assert api.post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json").status_code == 400
    saved = api.put("/api/v1/notifications/settings/", {"in_app": ["reply"], "email": [], "daily_digest": True},
                    format="json")
    assert saved.json() == {"in_app": ["reply"], "email": [], "daily_digest": True}
    services.notify(users=[learner], kind="enrolment", key="d", params={"course": "d"})
    assert api.get("/api/v1/notifications/").json()["count"] == 3  # the new one is muted in the app
    bad = api.put("/api/v1/notifications/settings/", {"in_app": ["nope"], "email": [], "daily_digest": False},
                  format="json")
    assert bad.status_code == 400
    assert NotificationSettings.objects.get(user=learner).muted_in_app != []


def test_page_lists_opens_and_saves_choices_with_constant_queries(demo, in_demo) -> None:
    learner = UserFactory()
    client = _page_client(demo, learner)
    services.notify(users=[learner], kind="enrolment", key="k0", params={"course": "K0"}, url="/courses/k0/")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/my/notifications/").content.decode()
        assert page.count('data-testid="notification"') == Notification.objects.filter(user=learner).count()
        return len(captured)

    one = count()
    for i in range(1, 8):
        services.notify(users=[learner], kind="enrolment", key=f"k{i}", params={"course": f"K{i}"})
    assert count() == one
    page = client.get("/").content.decode()
    assert 'data-testid="nav-unread">8<' in page
    target = Notification.objects.get(user=learner, key="k0")
    opened = client.post(f"/my/notifications/{target.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/courses/k0/"
    target.refresh_from_db()
    assert target.read_at is not None
    other = UserFactory()
    assert _page_client(demo, other).post(f"/my/notifications/{target.pk}/open/").status_code == 404
    client.post("/my/notifications/", {"action": "settings", "in_app": ["enrolment", "reply"], "email": ["reply"],
                                       "daily_digest": "on"})
    choices = selectors.notification_settings_of(user=learner)
    assert choices.email == {"reply"} and choices.daily_digest and "enrolment" in choices.in_app
    page = client.post("/my/notifications/", {"action": "read_all"}, follow=True).content.decode()
    assert "7 notifications marked as read." in page and 'data-testid="nav-unread"' not in page
