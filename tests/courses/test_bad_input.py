"""Bad input is a clear 4xx error, never a 500 (SPEC §4)."""

import pytest

from tests.helpers import client_for

HUGE = 10**30


@pytest.mark.parametrize(("method", "url", "body"), [
    ("get", "/api/v1/courses/99999999999999999/", None),
    ("post", "/api/v1/enrollments/", {"course": HUGE}),
    ("post", "/api/v1/enrollments/", {"course": "abc"}),
    ("post", "/api/v1/users/import/", {"csv": "email\n\x00"}),
    ("post", "/api/v1/users/import/", {"csv": "name\nx"}),
    ("post", "/api/v1/users/import/", {}),
    ("post", "/api/v1/users/", {"email": "a@b.org", "full_name": "x\x00y"}),
    ("post", "/api/v1/uploads/", {"purpose": "video", "filename": "a.mp4", "content_type": "video/mp4", "size": HUGE}),
    ("post", "/api/v1/courses/", {"title": "x", "slug": "not a slug"}),
    ("post", "/api/v1/courses/", {"title": "x", "slug": "ok-slug-1", "pass_mark": "150"}),
    ("put", "/api/v1/branding/", {"primary_color": "#zzzzzz"}),
    ("post", "/api/v1/quiz-attempts/1/submit/", {"answers": {"\x00": [1]}}),
])
def test_bad_input_is_a_4xx_with_the_error_shape(demo_host, method, url, body) -> None:
    client = client_for(demo_host, "admin@demo.test")
    response = getattr(client, method)(url, body, format="json") if body is not None else client.get(url)
    assert 400 <= response.status_code < 500, (response.status_code, response.content)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_an_id_longer_than_bigint_is_a_404(demo_host) -> None:
    assert client_for(demo_host, "admin@demo.test").get(f"/api/v1/courses/{HUGE}/").status_code == 404
