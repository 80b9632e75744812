"""Every courses API route × every method × malformed bodies, as an administrator and as a learner:
never a server error (SPEC §5 robustness; a cheap complement to the schemathesis run)."""

import json

import pytest
from django.test import Client

from courses.urls import api
from tests.helpers import api_token

pytestmark = pytest.mark.slow  # malformed input to every route: `make test-fast` leaves it out

BODIES = [
    {}, [], "text", {"x": 1},
    {"title": 5, "slug": [], "course": "a", "email": 3, "answers": [1], "emails": "a", "choices": "x", "kind": 9,
     "purpose": None, "size": -1, "csv": 5, "apply": "maybe", "body": {}, "parent": "x", "reason": None,
     "password": 1, "deadline": "tomorrow", "media_upload_id": "x", "primary_color": 5, "logo_upload_id": -5,
     "user": 0, "file": "x"},
    {"answers": {"1": "x"}, "choices": [{"text": None}], "emails": ["not"], "deadline": "2026-13-45"},
]


def test_no_route_answers_a_server_error_to_malformed_input(demo_host) -> None:
    errors = []
    for email in ("admin@demo.test", "learner1@demo.test"):
        client = Client(HTTP_HOST=demo_host, HTTP_AUTHORIZATION=f"Token {api_token(demo_host, email)}")
        for pattern in api:
            url = "/" + str(pattern.pattern).replace("<id:pk>", "1").replace("<str:code>", "ABC")
            for method in ("get", "post", "patch", "put", "delete"):
                for body in [None] if method == "get" else BODIES:
                    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
                    status = getattr(client, method)(url, **kwargs).status_code
                    if status >= 500:
                        errors.append((email, method, url, body, status))
    assert errors == []
