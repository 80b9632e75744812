"""Issue 9 item 8: the first administrator can never be locked out. An expired invitation is sent
again on the person's own request from the login page ("send me a new link", which never tells
whether an account exists) or by an operator (`user_invitation_resend`, the console's service);
password reset works for a user who never chose a password."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from mooc_platform.accounts.errors import InvitationInvalidError
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent

NEW_PASSWORD = "blue-Harbour-2031"
LINK = re.compile(r"https?://\S+/invitation/\S+/")


def _invitation_path(message: mail.EmailMessage) -> str:
    return urlsplit(LINK.search(message.body).group(0)).path


def _provisioned(make_tenant, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tenant = make_tenant(passwords=False)  # the administrator is only invited
    with schema_context(tenant.schema_name):
        User.objects.create_user(f"learner@{tenant.slug}.test", NEW_PASSWORD, role=User.Role.LEARNER)
    first = _invitation_path(mail.outbox[-1])
    mail.outbox.clear()
    return tenant, first


def test_an_expired_first_invitation_is_sent_again_from_the_login_page(
        make_tenant, django_capture_on_commit_callbacks) -> None:
    tenant, first = _provisioned(make_tenant, django_capture_on_commit_callbacks)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    login = client.get("/login/")
    assert b'href="/invitation/new/"' in login.content and b"Send me a new link" in login.content

    later = timezone.now() + timedelta(days=15)
    with time_machine.travel(later, tick=False):
        expired = client.get(first)
        assert expired.status_code == 404
        assert b'action="/invitation/new/"' in expired.content  # the way out is on the page
        with django_capture_on_commit_callbacks(execute=True):
            asked = client.post("/invitation/new/", {"email": f"  ADMIN@{tenant.slug}.test "})
        assert (asked.status_code, asked["Location"]) == (302, "/invitation/new/sent/")
        assert [m.to for m in mail.outbox] == [[f"admin@{tenant.slug}.test"]]
        assert mail.outbox[0].subject == f"You are invited to Org {tenant.slug}"
        second = _invitation_path(mail.outbox[0])
        done = client.post(second, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert (done.status_code, done["Location"]) == (302, "/login/")
        login = client.post("/login/", {"username": f"admin@{tenant.slug}.test", "password": NEW_PASSWORD})
        assert (login.status_code, login["Location"]) == (302, "/")
    event = AuditEvent.objects.get(action="user.invitation_resent", tenant=tenant)
    assert (event.actor_email, event.after["email"]) == ("", f"admin@{tenant.slug}.test")


def test_send_me_a_new_link_answers_the_same_whether_or_not_an_account_exists(
        make_tenant, django_capture_on_commit_callbacks) -> None:
    tenant, _first = _provisioned(make_tenant, django_capture_on_commit_callbacks)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    pages = []
    # nobody; a learner who has a password; a malformed address; the invited administrator
    for email in ("nobody@nowhere.test", f"learner@{tenant.slug}.test", "not an address", f"admin@{tenant.slug}.test"):
        with django_capture_on_commit_callbacks(execute=True):
            asked = client.post("/invitation/new/", {"email": email})
        assert (asked.status_code, asked["Location"]) == (302, "/invitation/new/sent/")
        pages.append(client.get(asked["Location"]).content.replace(b"csrfmiddlewaretoken", b""))
    assert len(set(pages)) == 1
    assert b"If this address belongs to an account of this organisation" in pages[0]
    assert [m.to for m in mail.outbox] == [[f"admin@{tenant.slug}.test"]]
    # Asking again at once sends nothing more (no mailbox flooding), and still answers the same.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/invitation/new/", {"email": f"admin@{tenant.slug}.test"})
    assert again["Location"] == "/invitation/new/sent/" and len(mail.outbox) == 1


def test_send_me_a_new_link_in_french(make_tenant, django_capture_on_commit_callbacks) -> None:
    tenant, first = _provisioned(make_tenant, django_capture_on_commit_callbacks)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="fr")
    client.cookies["django_language"] = "fr"
    assert "Envoyez-moi un nouveau lien" in client.get("/login/").content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        expired = client.get(first).content.decode()
    assert "Ce lien n’est plus valable" in expired and "Envoyez-moi un nouveau lien" in expired
    sent = client.post("/invitation/new/", {"email": "nobody@nowhere.test"}, follow=True).content.decode()
    assert "Si cette adresse correspond à un compte de cette organisation" in sent


def test_the_operator_sends_a_new_link_and_the_old_one_stops_working(
        make_tenant, django_capture_on_commit_callbacks) -> None:
    from mooc_platform.accounts.services import tenant_user_invitation_resend, user_invitation_resend

    tenant, first = _provisioned(make_tenant, django_capture_on_commit_callbacks)
    operator = User.objects.get(email="operator@demo.test")  # public schema
    with django_capture_on_commit_callbacks(execute=True):
        link = tenant_user_invitation_resend(tenant=tenant, email=f"Admin@{tenant.slug}.test", actor=operator)
    assert [m.to for m in mail.outbox] == [[f"admin@{tenant.slug}.test"]]
    assert LINK.search(mail.outbox[0].body).group(0) == link
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    assert client.get(first).status_code == 404  # the earlier link stopped working
    assert client.get(urlsplit(link).path).status_code == 200
    event = AuditEvent.objects.get(action="user.invitation_resent", tenant=tenant)
    assert (event.actor_email, event.actor_schema, event.target_type) == ("operator@demo.test", "public", "User")

    with schema_context(tenant.schema_name):
        learner = User.objects.get(email=f"learner@{tenant.slug}.test")  # has a password
    with pytest.raises(InvitationInvalidError) as refused:
        user_invitation_resend(user=learner, actor=operator, tenant=tenant)
    assert refused.value.message == (f"learner@{tenant.slug}.test already chose a password or is deactivated: "
                                     "use “Forgot your password?” on the login page.")


def test_password_reset_works_for_a_user_who_never_chose_a_password(
        make_tenant, django_capture_on_commit_callbacks) -> None:
    tenant, _first = _provisioned(make_tenant, django_capture_on_commit_callbacks)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    asked = client.post("/accounts/password-reset/", {"email": f"admin@{tenant.slug}.test"})
    assert asked.status_code == 302
    assert [m.to for m in mail.outbox] == [[f"admin@{tenant.slug}.test"]]
    path = urlsplit(re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)).path
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else path,
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    login = client.post("/login/", {"username": f"admin@{tenant.slug}.test", "password": NEW_PASSWORD})
    assert (login.status_code, login["Location"]) == (302, "/")
