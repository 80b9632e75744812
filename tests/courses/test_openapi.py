"""The tenant API's OpenAPI schema documents the courses endpoints (SPEC §4)."""

from django.test import Client


def test_schema_lists_the_courses_endpoints(demo_host) -> None:
    response = Client(HTTP_HOST=demo_host).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/users/", "/api/v1/users/import/", "/api/v1/courses/", "/api/v1/enrollments/",
                 "/api/v1/certificates/", "/api/v1/uploads/", "/api/v1/courses/{id}/posts/"):
        assert path in paths, path
