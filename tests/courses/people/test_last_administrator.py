"""Issue 9 item 9: an organisation always keeps an active administrator. CSV import, role change and
deactivation refuse to remove the last one (a clear error, nothing else lost); role changes are
audited. In the demo tenant `admin@demo.test` is the only administrator."""

from __future__ import annotations

import pytest
from django.db import connection

from courses import services
from courses.errors import LastAdministratorError
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent
from tests.factories import UserFactory
from tests.helpers import client_for, unique


def _csv(*lines: str) -> str:
    return "\n".join(["email,full_name,role,language", *lines]) + "\n"


def _role(email: str) -> str:
    return User.objects.get(email=email).role


def test_csv_import_refuses_to_demote_the_last_administrator_and_applies_the_other_rows(
        demo, demo_host, in_demo) -> None:
    newcomer = f"{unique('n')}@example.org"
    text = _csv("admin@demo.test,Ada Admin,learner,", "learner1@demo.test,Lea Learner 1,instructor,",
                f"{newcomer},New Person,learner,")
    admin = client_for(demo_host, "admin@demo.test")

    preview = admin.post("/api/v1/users/import/", {"csv": text}, format="json").json()
    assert [(r["action"], [e["code"] for e in r["errors"]]) for r in preview["rows"]] == [
        ("error", ["last_administrator"]), ("update", []), ("create", [])]

    applied = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert [(r["action"], [e["code"] for e in r["errors"]]) for r in applied["rows"]] == [
        ("error", ["last_administrator"]), ("update", []), ("create", [])]
    assert applied["rows"][0]["errors"][0]["message"] == (
        "admin@demo.test is the organisation's last active administrator: appoint another administrator first.")
    assert (_role("admin@demo.test"), _role("learner1@demo.test"), _role(newcomer)) == (
        "administrator", "instructor", "learner")


def test_csv_import_may_demote_an_administrator_once_another_one_is_appointed_earlier_in_the_file(
        demo, demo_host, in_demo) -> None:
    text = _csv("instructor@demo.test,Ian Instructor,administrator,", "admin@demo.test,Ada Admin,learner,")
    applied = client_for(demo_host, "admin@demo.test").post(
        "/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert [r["action"] for r in applied["rows"]] == ["update", "update"]
    assert (_role("instructor@demo.test"), _role("admin@demo.test")) == ("administrator", "learner")


def test_role_changes_by_csv_import_are_audited(demo, demo_host, in_demo) -> None:
    text = _csv("learner2@demo.test,Lea Learner 2,instructor,")
    client_for(demo_host, "admin@demo.test").post("/api/v1/users/import/", {"csv": text, "apply": True},
                                                  format="json")
    learner = User.objects.get(email="learner2@demo.test")
    event = AuditEvent.objects.get(action="user.role_changed", target_id=str(learner.pk))
    assert (event.tenant_id, event.actor_email, event.actor_schema, event.target_type) == (
        demo.pk, "admin@demo.test", demo.schema_name, "User")
    assert (event.before, event.after) == ({"email": "learner2@demo.test", "role": "learner"},
                                           {"email": "learner2@demo.test", "role": "instructor"})


def test_role_change_api_changes_and_audits_and_refuses_the_last_administrator(demo, demo_host, in_demo) -> None:
    admin = client_for(demo_host, "admin@demo.test")
    me = User.objects.get(email="admin@demo.test")
    refused = admin.post(f"/api/v1/users/{me.pk}/role/", {"role": "instructor"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "last_administrator"
    assert _role("admin@demo.test") == "administrator"
    assert not AuditEvent.objects.filter(action="user.role_changed", target_id=str(me.pk)).exists()

    learner = User.objects.get(email="learner1@demo.test")
    done = admin.post(f"/api/v1/users/{learner.pk}/role/", {"role": "administrator"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["role"] == "administrator"
    event = AuditEvent.objects.get(action="user.role_changed", target_id=str(learner.pk))
    assert (event.before["role"], event.after["role"], event.actor_email) == (
        "learner", "administrator", "admin@demo.test")

    # Two administrators now: the first may step down.
    assert admin.post(f"/api/v1/users/{me.pk}/role/", {"role": "learner"}, format="json").status_code == 200
    assert _role("admin@demo.test") == "learner"


def test_role_change_refuses_an_unknown_role(demo, demo_host, in_demo) -> None:
    learner = User.objects.get(email="learner1@demo.test")
    response = client_for(demo_host, "admin@demo.test").post(
        f"/api/v1/users/{learner.pk}/role/", {"role": "operator"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "unknown_role")


def test_deactivation_refuses_the_last_active_administrator_whoever_asks(demo, in_demo) -> None:
    admin = User.objects.get(email="admin@demo.test")
    instructor = User.objects.get(email="instructor@demo.test")
    with pytest.raises(LastAdministratorError) as error:
        services.user_deactivate(user=admin, actor=instructor)
    assert error.value.code == "last_administrator"
    assert User.objects.get(pk=admin.pk).is_active is True


def test_an_administrator_may_be_deactivated_while_another_one_stays(demo, in_demo) -> None:
    admin = User.objects.get(email="admin@demo.test")
    second = UserFactory(role=User.Role.ADMINISTRATOR)
    services.user_deactivate(user=second, actor=admin)
    assert User.objects.get(pk=second.pk).is_active is False
    with pytest.raises(LastAdministratorError):
        services.user_deactivate(user=admin, actor=second)


def test_the_users_page_changes_a_role_and_shows_the_refusal_in_french(demo, demo_host, in_demo) -> None:
    from django.test import Client

    client = Client(HTTP_HOST=demo_host)
    client.force_login(User.objects.get(email="admin@demo.test"))
    me = User.objects.get(email="admin@demo.test")
    learner = User.objects.get(email="learner2@demo.test")
    response = client.post("/manage/users/", {"action": "role", "user": learner.pk, "role": "instructor"},
                           follow=True)
    assert response.status_code == 200
    assert _role("learner2@demo.test") == "instructor"
    User.objects.filter(pk=me.pk).update(language="fr")
    response = client.post("/manage/users/", {"action": "role", "user": me.pk, "role": "learner"}, follow=True)
    connection.set_schema(demo.schema_name)
    assert _role("admin@demo.test") == "administrator"
    assert ("admin@demo.test est le dernier administrateur actif de l’organisation : nommez d’abord un autre "
            "administrateur.") in response.content.decode()
