"""Helpers of the LTI tests: a launch driven with Django's test client, the fake platform signing the id_token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from .platform import FakePlatform, login_query


def demo_quiz() -> Any:
    """The quiz of the demo course `seed_demo` made (other tests may leave courses of their own behind)."""
    from courses.demo import DEMO_COURSES
    from courses.models import Lesson

    return Lesson.objects.select_related("module__course").get(kind=Lesson.Kind.QUIZ,
                                                               module__course__slug=DEMO_COURSES["demo"][1])


def login_start(client: Client, platform: FakePlatform, *, hint: str, iss: str | None = None) -> dict[str, str]:
    """The login initiation: the state cookie lands in the client; returns the platform's auth request parameters."""
    response = client.get("/lti/login/?" + login_query(platform, hint=hint, iss=iss))
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def launch(client: Client, platform: FakePlatform, *, hint: str, headers: dict[str, str] | None = None,
           **overrides: Any) -> tuple[Any, str, dict[str, str]]:
    """A whole launch: login initiation, then the id_token POST. Returns (response, id_token, auth parameters)."""
    auth = login_start(client, platform, hint=hint)
    token = platform.sign(platform.claims(hint=hint, nonce=auth["nonce"], **overrides))
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}, headers=headers or {})
    return response, token, auth
