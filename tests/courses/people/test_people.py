"""People (SPEC R2, R3): invitations, seat limit, deactivation, passwords, failed-login throttling,
password reset."""

import re

from django.core import mail
from django.core.cache import caches
from django.test import Client

from mooc_platform.accounts.models import User
from tests.courses.helpers import PASSWORD, seats_leave_free
from tests.helpers import client_for, unique


def test_administrator_invites_a_user_who_sets_a_password_with_the_one_time_link(
        demo, demo_host, django_capture_on_commit_callbacks) -> None:
    admin = client_for(demo_host, "admin@demo.test")
    email = f"{unique('invitee')}@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/api/v1/users/", {"email": email, "full_name": "Ines Invitee", "role": "instructor"},
                              format="json")
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "instructor"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    link = re.search(r"https://demo\.localhost[^\s]*/invitation/([\w.:-]+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page = Client(HTTP_HOST=demo_host)
    path = f"/invitation/{link.group(1)}/"
    assert page.get(path).status_code == 200
    weak = page.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and b"too common" in weak.content
    ok = page.post(path, {"new_password1": "a-Strong-passphrase-42", "new_password2": "a-Strong-passphrase-42"})
    assert ok.status_code == 302
    assert page.post("/login/", {"username": email, "password": "a-Strong-passphrase-42"}).status_code == 302
    assert Client(HTTP_HOST=demo_host).get(path).status_code == 404  # one-time


def test_inviting_an_existing_email_or_unknown_role_is_a_clear_error(demo_host) -> None:
    admin = client_for(demo_host, "admin@demo.test")
    existing = admin.post("/api/v1/users/", {"email": "learner1@demo.test"}, format="json")
    assert existing.status_code == 409 and existing.json()["error"]["code"] == "user_exists"
    role = admin.post("/api/v1/users/", {"email": f"{unique()}@example.org", "role": "wizard"}, format="json")
    assert role.status_code == 400 and role.json()["error"]["code"] == "unknown_role"


def test_learners_cannot_manage_users(demo_host) -> None:
    learner = client_for(demo_host, "learner1@demo.test")
    assert learner.get("/api/v1/users/").status_code == 403
    assert learner.post("/api/v1/users/import/", {"csv": "email\na@b.org"}, format="json").status_code == 403


def test_seat_limit_refuses_invitations_and_reactivation_with_a_clear_error(demo, demo_host, in_demo) -> None:
    seats_leave_free(demo, 0)
    admin = client_for(demo_host, "admin@demo.test")
    refused = admin.post("/api/v1/users/", {"email": f"{unique()}@example.org"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "seat_limit_reached"
    assert "active users" in refused.json()["error"]["message"]

    learner = User.objects.get(email="learner2@demo.test")
    assert admin.post(f"/api/v1/users/{learner.pk}/deactivate/").json()["is_active"] is False
    seats_leave_free(demo, 0)  # the freed seat is taken by someone else
    again = admin.post(f"/api/v1/users/{learner.pk}/reactivate/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "seat_limit_reached"
    seats_leave_free(demo, 1)
    assert admin.post(f"/api/v1/users/{learner.pk}/reactivate/").json()["is_active"] is True


def test_deactivated_user_cannot_log_in_and_loses_tokens(demo_host, in_demo) -> None:
    user = User.objects.create_user(f"{unique()}@example.org", PASSWORD)
    token_client = client_for(demo_host, user.email)
    admin = client_for(demo_host, "admin@demo.test")
    assert admin.post(f"/api/v1/users/{user.pk}/deactivate/").status_code == 200
    assert token_client.get("/api/v1/me/").status_code == 401
    login = Client(HTTP_HOST=demo_host).post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    assert login.status_code == 400


def test_failed_logins_are_throttled_after_five_failures_on_page_and_api(demo_host, in_demo) -> None:
    caches["shared"].clear()  # the login counters live in the shared cache
    user = User.objects.create_user(f"{unique()}@example.org", PASSWORD)
    page = Client(HTTP_HOST=demo_host)
    for _ in range(5):
        response = page.post("/login/", {"username": user.email, "password": "wrong-password"})
        assert b"Unknown e-mail or wrong password" in response.content
    blocked = page.post("/login/", {"username": user.email, "password": PASSWORD})
    assert b"Too many failed attempts" in blocked.content
    assert "_auth_user_id" not in page.session
    api = Client(HTTP_HOST=demo_host).post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    assert api.status_code == 429 and api.json()["error"]["code"] == "login_throttled"
    caches["shared"].clear()  # the login counters live in the shared cache
    assert Client(HTTP_HOST=demo_host).post("/api/v1/auth/token/", {"email": user.email,
                                                                     "password": PASSWORD}).status_code == 200


def test_password_reset_link_points_to_the_tenant_host_and_refuses_trivial_passwords(demo_host, in_demo) -> None:
    user = User.objects.create_user(f"{unique()}@example.org", PASSWORD)
    client = Client(HTTP_HOST=demo_host)
    assert client.post("/accounts/password-reset/", {"email": user.email}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https://demo\.localhost(/accounts/reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and b"password-errors" in weak.content
    done = client.post(set_url, {"new_password1": "Another-long-phrase-7", "new_password2": "Another-long-phrase-7"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-long-phrase-7")


def test_administrator_resends_an_invitation_and_the_old_link_stops_working(
        demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    admin = client_for(demo_host, "admin@demo.test")
    email = f"{unique('resend')}@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        user_id = admin.post("/api/v1/users/", {"email": email}, format="json").json()["id"]
        assert admin.post(f"/api/v1/users/{user_id}/invitation/").status_code == 202
    first, second = (re.search(r"/invitation/([\w.:-]+)/", m.body).group(0) for m in mail.outbox)
    page = Client(HTTP_HOST=demo_host)
    assert page.get(first).status_code == 404
    assert page.get(second).status_code == 200
    refused = admin.post(f"/api/v1/users/{User.objects.get(email='learner1@demo.test').pk}/invitation/")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invitation_invalid"
