"""Issue 11 item 7: a suspended tenant blocks what it should and only that. Public certificate
verification (page and API), password reset and invitation acceptance keep working; the learning
platform itself stays closed."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.models import Certificate
from tenants.models import Tenant
from tenants.services import tenant_suspend
from tests.courses.helpers import PASSWORD, answers_for, quiz_of, seats_leave_free
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, host_of, unique


def _certificate(tenant: Tenant) -> Certificate:
    with schema_context(tenant.schema_name):
        course = CourseFactory(author=UserFactory(role="instructor"))
        learner = UserFactory(full_name="Ada Lovelace")
        services.enrollment_create(course=course, user=learner)
        services.lesson_complete(lesson=course.modules.get().lessons.get(kind="text"), user=learner)
        quiz = quiz_of(course)
        attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
        services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=2))
        return Certificate.objects.get(course=course, user=learner)


def test_certificate_verification_stays_public_while_the_tenant_is_suspended(demo) -> None:
    certificate = _certificate(demo)
    tenant_suspend(tenant=demo, reason="unpaid")
    host = host_of(demo)
    page = Client(HTTP_HOST=host).get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200 and b"Ada Lovelace" in page.content
    api = api_client(host).get(f"/api/v1/certificates/verify/{certificate.code}/")
    assert api.status_code == 200
    assert (api.json()["valid"], api.json()["holder_name"]) == (True, "Ada Lovelace")


def test_password_reset_works_end_to_end_while_the_tenant_is_suspended(demo) -> None:
    with schema_context(demo.schema_name):
        user = UserFactory()
    tenant_suspend(tenant=demo, reason="unpaid")
    mail.outbox.clear()
    client = Client(HTTP_HOST=host_of(demo))
    assert client.get("/accounts/password-reset/").status_code == 200
    sent = client.post("/accounts/password-reset/", {"email": user.email})
    assert (sent.status_code, sent["Location"]) == (302, "/accounts/password-reset/sent/")
    assert client.get("/accounts/password-reset/sent/").status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"(/accounts/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.redirect_chain[-1][0].endswith("/set-password/")
    new = "a-Longer-passw0rd-" + unique()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert (done.status_code, done["Location"]) == (302, "/accounts/reset/done/")
    assert client.get("/accounts/reset/done/").status_code == 200
    with schema_context(demo.schema_name):
        user.refresh_from_db()
        assert user.check_password(new)


def test_invitation_is_accepted_while_the_tenant_is_suspended(demo) -> None:
    seats_leave_free(demo, 2)  # other tests' committed users may fill the demo seats
    with schema_context(demo.schema_name):
        user, link = services.user_invite(email=f"{unique('inv')}@example.org", role="learner",
                                          full_name="Grace Hopper")
    path = "/" + link.split("/", 3)[3]
    tenant_suspend(tenant=demo, reason="unpaid")
    client = Client(HTTP_HOST=host_of(demo))
    assert client.get(path).status_code == 200
    new = "a-Longer-passw0rd-" + unique()
    accepted = client.post(path, {"new_password1": new, "new_password2": new})
    assert (accepted.status_code, accepted["Location"]) == (302, "/login/")
    with schema_context(demo.schema_name):
        user.refresh_from_db()
        assert user.check_password(new)


def test_the_learning_platform_itself_stays_closed_while_suspended(demo) -> None:
    tenant_suspend(tenant=demo, reason="unpaid")
    host = host_of(demo)
    client = Client(HTTP_HOST=host)
    client.post("/login/", {"username": "learner1@demo.test", "password": PASSWORD})
    for path in ("/", "/courses/", "/my/progress/", "/my/certificates/", "/my/profile/"):
        response = client.get(path)
        assert (response.status_code, response.get("Location")) == (302, "/account-status/"), path
    api = api_client(host).get("/api/v1/certificates/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "tenant_suspended"
