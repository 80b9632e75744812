"""Issue 10 item 2: one definition of "course staff" (`User.is_course_staff`) and one page guard
(mooc_platform.accounts.permissions). Every administrators' page — whichever app serves it — and
every course-staff page answers the same way: the login page for a visitor, the same 403 page in the
user's language for a role that is not allowed, the page for one that is."""

from __future__ import annotations

import pytest
from django.test import Client

from mooc_platform.accounts.models import User

ADMIN_PAGES = ["/manage/users/", "/manage/branding/", "/billing/", "/timeline/", "/exports/"]
STAFF_PAGES = ["/teach/", "/teach/moderation/"]
FORBIDDEN = {"en": "Your role in this organisation does not give access to this page.",
             "fr": "Votre rôle dans cette organisation ne donne pas accès à cette page."}


def _client(host: str, email: str, language: str) -> Client:
    user = User.objects.get(email=email)
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_course_staff_is_one_predicate_on_the_user() -> None:
    assert [User(role=role).is_course_staff for role in User.Role.values] == [False, True, True, False]
    assert User.COURSE_STAFF_ROLES == (User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_administrators_page_refuses_other_roles_with_the_same_page(demo, in_demo, path, language) -> None:
    host = demo.get_primary_domain().domain
    visitor = Client(HTTP_HOST=host).get(path)
    assert (visitor.status_code, visitor["Location"]) == (302, f"/login/?next={path}")
    for email in ("instructor@demo.test", "learner1@demo.test"):
        refused = _client(host, email, language).get(path)
        assert refused.status_code == 403
        assert FORBIDDEN[language] in refused.content.decode()
    assert _client(host, "admin@demo.test", language).get(path).status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_course_staff_page_admits_instructors_and_administrators_only(demo, in_demo, path) -> None:
    host = demo.get_primary_domain().domain
    refused = _client(host, "learner1@demo.test", "fr").get(path)
    assert refused.status_code == 403 and FORBIDDEN["fr"] in refused.content.decode()
    for email in ("instructor@demo.test", "admin@demo.test"):
        assert _client(host, email, "en").get(path).status_code == 200
