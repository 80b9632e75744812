"""Notification e-mails leave through a real Celery worker after the commit (issue 14 item 8): one each for
those who want them, none for those who muted e-mails or take the daily digest."""

from __future__ import annotations

import time

from django.core import mail
from django.db import transaction
from django_tenants.utils import schema_context

from courses import services
from courses.models import Notification
from tests.factories import UserFactory


def test_notification_emails_are_sent_by_the_worker(transactional_db, demo, celery_worker_session) -> None:
    with schema_context(demo.schema_name):
        each, muted, digester = UserFactory(), UserFactory(), UserFactory()
        services.notification_settings_update(user=muted, in_app=services.KINDS, email=[], daily_digest=False)
        services.notification_settings_update(user=digester, in_app=services.KINDS, email=services.KINDS,
                                              daily_digest=True)
        mail.outbox.clear()
        with transaction.atomic():
            services.notify(users=[each, muted, digester], kind="enrolment", key="worker:1",
                            params={"course": "Async"}, url="/courses/async/")
            assert mail.outbox == []  # nothing leaves before the commit
        deadline = time.monotonic() + 30
        while not Notification.objects.filter(user=each, emailed_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker did not send the e-mail"
            time.sleep(0.1)
        ours = [m for m in mail.outbox if set(m.to) & {each.email, muted.email, digester.email}]
        assert [m.to for m in ours] == [[each.email]]
        assert "You are enrolled in “Async”." in ours[0].body
        assert Notification.objects.filter(user__in=[each, muted, digester],  # muted's and the digester's
                                           emailed_at__isnull=True).count() == 2
