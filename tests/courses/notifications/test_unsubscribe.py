"""One-click unsubscribe of the notification e-mails (issue 14 item 8, RFC 8058): every notification e-mail
(one each, the daily digest, the deadline reminder) carries a signed link, in its HTML and text parts, and the
`List-Unsubscribe` / `List-Unsubscribe-Post` headers. Signed out, the link asks once in the reader's language
(a link scanner's GET changes nothing); the page's button or the mail client's one-click POST turns that kind's
e-mails off (the digest's: all of them). An altered link is a clear 400 page, never a 500."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from courses import selectors, services
from courses.models import Lesson, Notification, NotificationSettings
from tests.courses.helpers import quiz_of
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import host_of

pytestmark = pytest.mark.django_db
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
LINK = re.compile(r"https?://[^\s\"<>]+/notifications/unsubscribe/[^\s\"<>/]+/")


def _links(message) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """The unsubscribe URL of the text part, of the HTML part and of the List-Unsubscribe header."""
    (text_link,) = LINK.findall(message.body)
    (html_link,) = set(LINK.findall(message.alternatives[0][0]))
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message.message()["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    return text_link, html_link, header[1:-1]


def _path(url: str) -> str:
    return urlsplit(url).path


def test_the_link_of_an_email_stops_that_kind_signed_out_after_one_confirmation_in_the_readers_language(
        demo, in_demo, django_capture_on_commit_callbacks) -> None:
    learner = UserFactory(language="fr")
    made = services.notify(users=[learner], kind="enrolment", key="u:1", params={"course": "Chimie"},
                           url="/courses/chimie/")
    mail.outbox.clear()
    assert services.notifications_email(notification_ids=[n.pk for n in made]) == 1
    (message,) = mail.outbox
    text_link, html_link, header_link = _links(message)
    assert text_link == html_link == header_link
    assert "Ne plus recevoir les e-mails de ce type (Inscription à un cours)" in message.body

    visitor = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en")  # signed out; demo speaks English
    asked = visitor.get(_path(text_link))
    page = asked.content.decode()
    assert asked.status_code == 200 and '<html lang="fr"' in page  # the reader's language
    assert "Ne plus recevoir les e-mails pour « Inscription à un cours » ?" in page
    assert not NotificationSettings.objects.filter(user=learner).exists()  # a GET changes nothing
    done = visitor.post(_path(text_link))
    assert done.status_code == 200 and 'data-testid="unsubscribe-done"' in done.content.decode()
    choice = NotificationSettings.objects.get(user=learner)
    assert choice.muted_email == ["enrolment"] and choice.muted_in_app == [] and not choice.daily_digest
    assert visitor.post(_path(text_link)).status_code == 200  # twice: still off, no error
    # The setting is honoured: the next enrolment is told in the app, and no e-mail is queued.
    with django_capture_on_commit_callbacks() as queued:
        again = services.notify(users=[learner], kind="enrolment", key="u:2", params={"course": "Physique"})
    assert again and again[0].in_app and queued == []
    choices = selectors.notification_settings_of(user=learner)
    assert "enrolment" not in choices.email and "enrolment" in choices.in_app and "reply" in choices.email


def test_the_mail_clients_one_click_post_needs_no_session_nor_csrf_token(demo, in_demo) -> None:
    learner = UserFactory(language="en")
    made = services.notify(users=[learner], kind="mention", key="m:1",
                           params={"who": "Rémi", "course": "Optics"}, url="/courses/optics/")
    mail.outbox.clear()
    services.notifications_email(notification_ids=[n.pk for n in made])
    _text, _html, header_link = _links(mail.outbox[0])
    client = Client(HTTP_HOST=host_of(demo), enforce_csrf_checks=True)
    response = client.post(_path(header_link), "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=learner).muted_email == ["mention"]


def test_the_digests_link_stops_every_notification_email(demo, in_demo) -> None:
    digester = UserFactory(language="en")
    services.notification_settings_update(user=digester, in_app=services.KINDS, email=services.KINDS,
                                          daily_digest=True)
    with time_machine.travel(NOW, tick=False):
        services.notify(users=[digester], kind="enrolment", key="d:1", params={"course": "A"})
    mail.outbox.clear()
    with time_machine.travel(NOW + timedelta(hours=21), tick=False):
        assert services.notifications_digest_send() == 1
    text_link, html_link, _header = _links(mail.outbox[0])
    assert text_link == html_link
    assert "Stop these e-mails (every kind of notification)" in mail.outbox[0].body
    visitor = Client(HTTP_HOST=host_of(demo))
    asked = visitor.get(_path(text_link)).content.decode()
    assert "Stop every notification e-mail, the daily digest included?" in asked
    assert visitor.post(_path(text_link)).status_code == 200
    choice = NotificationSettings.objects.get(user=digester)
    assert set(choice.muted_email) == set(services.KINDS) and not choice.daily_digest
    assert set(selectors.notification_settings_of(user=digester).in_app) == set(services.KINDS)


def test_the_deadline_reminder_carries_the_link_of_its_kind(demo, in_demo) -> None:
    course = CourseFactory(title="Optics")
    learner = UserFactory(language="en")
    EnrollmentFactory(course=course, user=learner)
    Lesson.objects.filter(pk=quiz_of(course).pk).update(deadline=NOW + timedelta(hours=30))
    Notification.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        assert services.deadline_reminders_send() == 1
    mail.outbox.clear()
    services.notifications_email(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    text_link, _html, _header = _links(mail.outbox[0])
    assert "Stop the e-mails of this kind (Deadline in 48 hours)" in mail.outbox[0].body
    assert Client(HTTP_HOST=host_of(demo)).post(_path(text_link)).status_code == 200
    assert NotificationSettings.objects.get(user=learner).muted_email == ["deadline"]


@pytest.mark.parametrize("alter", [
    lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),  # signature altered
    lambda token: token[: len(token) // 2],  # cut
    lambda token: "x" + token,
    lambda token: "ab:cd:ef",  # no token at all
])
def test_an_altered_link_is_a_clear_400_page_not_a_500(demo, in_demo, alter) -> None:
    learner = UserFactory(language="en")
    token = services.notifications.unsubscribe_token(user=learner, kind="reply")
    client = Client(HTTP_HOST=host_of(demo))
    for method in (client.get, client.post):
        response = method(f"/notifications/unsubscribe/{alter(token)}/")
        assert response.status_code == 400
        page = response.content.decode()
        assert 'data-testid="unsubscribe-invalid"' in page and "This unsubscribe link is not valid" in page
    assert not NotificationSettings.objects.filter(user=learner).exists()


def test_a_link_of_another_organisation_or_of_an_unknown_kind_is_refused(demo, acme, in_demo) -> None:
    learner = UserFactory(language="en")
    token = services.notifications.unsubscribe_token(user=learner, kind="reply")
    with schema_context(acme.schema_name):
        # The same user id may exist on acme: the token names demo's schema, so acme refuses it.
        french = Client(HTTP_HOST=host_of(acme)).get(f"/notifications/unsubscribe/{token}/")
        assert french.status_code == 400 and "Ce lien de désinscription n’est pas valide" in french.content.decode()
    odd = services.notifications.unsubscribe_token(user=learner, kind="nonsense")
    assert Client(HTTP_HOST=host_of(demo)).post(f"/notifications/unsubscribe/{odd}/").status_code == 400
    learner.is_active = False
    learner.save(update_fields=["is_active"])
    assert Client(HTTP_HOST=host_of(demo)).post(f"/notifications/unsubscribe/{token}/").status_code == 400
