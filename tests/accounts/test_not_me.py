""""This wasn't me" (issue 15 item 9): the link of the security e-mails (password reset, deactivation) ends
every session and revokes every API token of the account after a confirmation; forged or expired links do nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import AccessToken, User
from mooc_platform.accounts.not_me import NOT_ME_DAYS, not_me_path
from mooc_platform.accounts.tokens import token_issue
from tenants.models import AuditEvent
from tests.factories import UserFactory
from tests.helpers import api_client, host_of


def test_the_reset_email_link_signs_the_account_out_everywhere_after_confirmation(
        demo, django_capture_on_commit_callbacks) -> None:
    host = host_of(demo)
    with schema_context(demo.schema_name):
        user = UserFactory(full_name="Tess Target")
        token = token_issue(user=user)[1]
    victim_session = Client(HTTP_HOST=host)
    with schema_context(demo.schema_name):
        victim_session.force_login(user)
    assert victim_session.get("/my/profile/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST=host).post("/accounts/password-reset/", {"email": user.email})
    [message] = [m for m in mail.outbox if user.email in m.to]
    link = re.search(r"https?://\S+/not-me/\S+/", message.body).group(0)
    path = link.split(host, 1)[1] if host in link else "/" + link.split("/", 3)[3]
    page = Client(HTTP_HOST=host).get(path)
    assert page.status_code == 200 and user.email in page.content.decode()
    assert api_client(host, token).get("/api/v1/me/").status_code == 200  # a GET (a mail scanner) changes nothing
    done = Client(HTTP_HOST=host).post(path)
    assert "every session of your account has ended" in done.content.decode()
    assert api_client(host, token).get("/api/v1/me/").status_code == 401
    assert victim_session.get("/my/profile/").status_code == 302
    with schema_context(demo.schema_name):
        assert not AccessToken.objects.filter(user=user).exists()
    event = AuditEvent.objects.filter(action="user.not_me", tenant=demo).latest("id")
    assert event.after == {"tokens_revoked": 1}


def test_forged_expired_and_foreign_links_are_refused(demo, acme) -> None:
    with schema_context(demo.schema_name):
        user = User.objects.get(email="learner1@demo.test")
        path = not_me_path(user=user)
    assert Client(HTTP_HOST=host_of(demo)).get(path[:-3] + "xx/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=NOT_ME_DAYS, minutes=1)):
        assert Client(HTTP_HOST=host_of(demo)).post(path).status_code == 404
    assert Client(HTTP_HOST="localhost").get(path).status_code == 404


def test_a_deactivated_user_is_emailed_with_the_time_limit_and_the_link(
        demo, django_capture_on_commit_callbacks, settings) -> None:
    settings.PRIVACY_DEACTIVATED_USER_DAYS = 365
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        user = UserFactory(full_name="Dee Activated", language="fr")
        from courses import services

        with django_capture_on_commit_callbacks(execute=True):
            services.user_deactivate(user=user, actor=admin)
    [message] = [m for m in mail.outbox if user.email in m.to]
    assert message.subject == "Votre compte sur Demo University a été désactivé"
    assert "sera anonymisé dans 365 jours" in message.body and "/not-me/" in message.body
    assert "/not-me/" in message.alternatives[0][0]
