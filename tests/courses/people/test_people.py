"""People (SPEC R2, R3): invitations, CSV import with preview, seat limit, deactivation, passwords,
failed-login throttling, password reset."""

import re

from django.core import mail
from django.core.cache import cache
from django.test import Client

from courses import services
from courses.models import UserInvitation
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.conftest import PASSWORD, client_for, unique


def _set_seats(tenant: Tenant, free: int) -> None:
    """Leave exactly `free` seats in the demo tenant's subscription."""
    from django_tenants.utils import schema_context

    with schema_context(tenant.schema_name):
        used = services.seats_used()
    Tenant.objects.filter(pk=tenant.pk).update(seat_limit=used + free)


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
    link = re.search(r"http://demo\.localhost[^\s]*/accounts/invitation/([\w-]+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page = Client(HTTP_HOST=demo_host)
    path = f"/accounts/invitation/{link.group(1)}/"
    assert page.get(path).status_code == 200
    weak = page.post(path, {"password1": "password", "password2": "password"})
    assert weak.status_code == 200 and b"too common" in weak.content
    ok = page.post(path, {"password1": "a-Strong-passphrase-42", "password2": "a-Strong-passphrase-42"})
    assert ok.status_code == 302
    assert page.post("/login/", {"username": email, "password": "a-Strong-passphrase-42"}).status_code == 302
    assert Client(HTTP_HOST=demo_host).get(path).status_code == 400  # one-time


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


def _csv(*lines: str) -> str:
    return "\n".join(["email,full_name,role,language", *lines]) + "\n"


def test_csv_preview_reports_each_row_and_changes_nothing(demo, demo_host, in_demo) -> None:
    _set_seats(demo, 1)
    new1, new2 = f"{unique('a')}@example.org", f"{unique('b')}@example.org"
    text = _csv(f"{new1},Alice New,learner,fr",
                "not-an-email,Bad,learner,",
                f"{new1},Alice Again,learner,",
                "learner1@demo.test,Lea Learner 1,instructor,",
                "learner2@demo.test,Lea Learner 2,learner,en",
                f"{unique('c')}@example.org,Carl,astronaut,",
                f"{new2},Bob Over,learner,")
    before = User.objects.count()
    report = client_for(demo_host, "admin@demo.test").post("/api/v1/users/import/", {"csv": text}, format="json")
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["applied"] is False
    assert [(r["line"], r["action"], [e["code"] for e in r["errors"]]) for r in body["rows"]] == [
        (2, "create", []),
        (3, "error", ["invalid_email"]),
        (4, "error", ["duplicate"]),
        (5, "update", []),
        (6, "unchanged", []),
        (7, "error", ["unknown_role"]),
        (8, "error", ["seat_limit_reached"]),
    ]
    assert body["rows"][3]["changes"] == {"role": {"from": "learner", "to": "instructor"}}
    assert body["summary"] == {"create": 1, "update": 1, "unchanged": 1, "error": 4}
    assert User.objects.count() == before


def test_csv_apply_creates_good_rows_despite_bad_ones_and_reimport_is_a_no_op(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    _set_seats(demo, 5)
    new1, new2 = f"{unique('a')}@example.org", f"{unique('b')}@example.org"
    target = User.objects.create_user(f"{unique('t')}@example.org", PASSWORD, full_name="Old Name")
    text = _csv(f"{new1},Alice,instructor,fr", "bad-email,,learner,", f"{new2},Bob,,",
                f"{target.email},New Name,learner,")
    admin = client_for(demo_host, "admin@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        applied = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert applied["applied"] is True
    assert applied["summary"] == {"create": 2, "update": 1, "unchanged": 0, "error": 1}
    alice = User.objects.get(email=new1)
    assert (alice.full_name, alice.role, alice.language, alice.has_usable_password()) == (
        "Alice", "instructor", "fr", False)
    assert User.objects.get(email=new2).role == "learner"
    assert User.objects.get(pk=target.pk).full_name == "New Name"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([new1, new2])
    assert UserInvitation.objects.filter(user__email__in=[new1, new2]).count() == 2

    count = User.objects.count()
    again = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert again["summary"] == {"create": 0, "update": 0, "unchanged": 3, "error": 1}
    assert User.objects.count() == count


def test_csv_import_accepts_a_multipart_file_with_semicolons(demo, demo_host, in_demo) -> None:
    import io

    _set_seats(demo, 3)
    email = f"{unique('m')}@example.org"
    upload = io.BytesIO(f"\ufeffemail;full_name;role\n{email};Maya;apprenant\n".encode())
    upload.name = "users.csv"
    body = client_for(demo_host, "admin@demo.test").post("/api/v1/users/import/", {"file": upload, "apply": "true"},
                                                         format="multipart").json()
    assert body["summary"]["create"] == 1
    assert User.objects.get(email=email).role == "learner"


def test_seat_limit_refuses_invitations_and_reactivation_with_a_clear_error(demo, demo_host, in_demo) -> None:
    _set_seats(demo, 0)
    admin = client_for(demo_host, "admin@demo.test")
    refused = admin.post("/api/v1/users/", {"email": f"{unique()}@example.org"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "seat_limit_reached"
    assert "active users" in refused.json()["error"]["message"]

    learner = User.objects.get(email="learner2@demo.test")
    assert admin.post(f"/api/v1/users/{learner.pk}/deactivate/").json()["is_active"] is False
    _set_seats(demo, 0)  # the freed seat is taken by someone else
    again = admin.post(f"/api/v1/users/{learner.pk}/reactivate/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "seat_limit_reached"
    _set_seats(demo, 1)
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
    cache.clear()
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
    cache.clear()
    assert Client(HTTP_HOST=demo_host).post("/api/v1/auth/token/", {"email": user.email,
                                                                     "password": PASSWORD}).status_code == 200


def test_password_reset_link_points_to_the_tenant_host_and_refuses_trivial_passwords(demo_host, in_demo) -> None:
    user = User.objects.create_user(f"{unique()}@example.org", PASSWORD)
    client = Client(HTTP_HOST=demo_host)
    assert client.post("/accounts/password-reset/", {"email": user.email}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://demo\.localhost(/accounts/reset/[^\s]+/)", mail.outbox[0].body).group(1)
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
    first, second = (re.search(r"/accounts/invitation/([\w-]+)/", m.body).group(0) for m in mail.outbox)
    page = Client(HTTP_HOST=demo_host)
    assert page.get(first).status_code == 400
    assert page.get(second).status_code == 200
    refused = admin.post(f"/api/v1/users/{User.objects.get(email='learner1@demo.test').pk}/invitation/")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invitation_invalid"


def test_csv_apply_stops_creating_at_the_seat_limit_and_keeps_the_rows_that_fit(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    _set_seats(demo, 2)
    first, second, third = (f"{unique(p)}@example.org" for p in ("s1", "s2", "s3"))
    text = _csv(f"{first},One,learner,", f"{second},Two,learner,", f"{third},Three,learner,",
                "learner2@demo.test,Lea Learner 2 Renamed,learner,")
    admin = client_for(demo_host, "admin@demo.test")
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        applied = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert applied["applied"] is True
    assert [(r["line"], r["action"], [e["code"] for e in r["errors"]]) for r in applied["rows"]] == [
        (2, "create", []), (3, "create", []), (4, "error", ["seat_limit_reached"]), (5, "update", [])]
    assert User.objects.count() == before + 2
    assert not User.objects.filter(email=third).exists()
    assert User.objects.get(email="learner2@demo.test").full_name == "Lea Learner 2 Renamed"
    assert services.seats_used() == Tenant.objects.get(pk=demo.pk).seat_limit
