"""Server-rendered pages: every page answers for the roles allowed, refuses the others, and shows the
organisation's branding."""

import io

import pytest
from django.test import Client

from courses import services
from courses.models import Branding, Lesson
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.helpers import answers_for, quiz_of
from tests.factories import CourseFactory, UserFactory
from tests.helpers import unique


@pytest.fixture
def site(demo_host, in_demo):
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor)
    learner = UserFactory()
    services.enrollment_create(course=course, user=learner)
    post = services.post_create(course=course, author=learner, body="A post")
    services.post_report(post=post, reporter=instructor, reason="check")
    return {"host": demo_host, "course": course, "learner": learner, "instructor": instructor,
            "lesson": Lesson.objects.get(module__course=course, kind="text"), "quiz": quiz_of(course)}


def _client(site, email):
    client = Client(HTTP_HOST=site["host"])
    client.force_login(User.objects.get(email=email))
    return client


def test_every_page_renders_for_its_roles(site) -> None:
    c, lesson, quiz = site["course"], site["lesson"], site["quiz"]
    learner_pages = ["/", "/courses/", f"/courses/{c.slug}/", f"/courses/{c.slug}/lessons/{lesson.pk}/",
                     f"/courses/{c.slug}/lessons/{quiz.pk}/", f"/courses/{c.slug}/discussion/", "/my/progress/",
                     "/my/certificates/", "/my/profile/", "/my/delete/", "/my/export.json"]
    staff_pages = ["/teach/", f"/teach/courses/{c.pk}/", f"/teach/lessons/{quiz.pk}/", "/teach/moderation/",
                   "/manage/analytics/", f"/manage/analytics/{c.pk}/", f"/manage/analytics/{c.pk}.csv"]
    admin_pages = ["/manage/users/", "/manage/users/import/", "/manage/branding/"]
    learner = _client(site, site["learner"].email)
    for url in learner_pages:
        assert learner.get(url).status_code == 200, url
    for url in staff_pages + admin_pages:
        assert learner.get(url).status_code == 403, url
    instructor = _client(site, site["instructor"].email)
    for url in staff_pages:
        assert instructor.get(url).status_code == 200, url
    for url in admin_pages:
        assert instructor.get(url).status_code == 403, url
    admin = _client(site, "admin@demo.test")
    for url in admin_pages + staff_pages:
        assert admin.get(url).status_code == 200, url
    anonymous = Client(HTTP_HOST=site["host"])
    assert anonymous.get("/courses/").status_code == 302


def test_learner_takes_the_quiz_through_the_pages_and_earns_the_certificate(site) -> None:
    c, quiz = site["course"], site["quiz"]
    learner = _client(site, site["learner"].email)
    learner.post(f"/courses/{c.slug}/lessons/{site['lesson'].pk}/complete/")
    learner.post(f"/courses/{c.slug}/lessons/{quiz.pk}/", {"action": "start"})
    page = learner.get(f"/courses/{c.slug}/lessons/{quiz.pk}/")
    assert b'data-testid="quiz-form"' in page.content
    attempt = quiz.attempts.get()
    data = {"action": "submit", "attempt": attempt.pk}
    for qid, choices in answers_for(quiz, right=2).items():
        data[f"q{qid}"] = [str(x) for x in choices]
    followed = learner.post(f"/courses/{c.slug}/lessons/{quiz.pk}/", data, follow=True)
    assert "Your score: 100.00\u00a0%" in followed.content.decode()
    course_page = learner.get(f"/courses/{c.slug}/")
    assert b'data-testid="certificate-earned"' in course_page.content
    assert b"2 of 2 lessons completed" in course_page.content


def test_branding_is_shown_on_every_tenant_page(site, demo) -> None:
    admin = _client(site, "admin@demo.test")
    response = admin.post("/manage/branding/", {"name": "Demo Learning Hub", "primary_color": "#123456",
                                                "accent_color": "#abcdef", "default_language": "en"})
    assert response.status_code == 302
    branding = Branding.objects.get(pk=1)
    assert (branding.name, branding.primary_color) == ("Demo Learning Hub", "#123456")
    for url in ("/", "/courses/", "/login/"):
        page = Client(HTTP_HOST=site["host"]).get(url) if url == "/login/" else admin.get(url)
        assert b"Demo Learning Hub" in page.content, url
        # The colours come in a stylesheet of their own (no inline style under the CSP, issue 11 item 8).
        assert b'href="/branding.css?v=%23123456-%23abcdef"' in page.content, url
    css = admin.get("/branding.css")
    assert (css["Content-Type"], css.content) == (
        "text/css; charset=utf-8", b":root { --brand: #123456; --accent: #abcdef; --accent-text: #111827; }\n")
    bad = admin.post("/manage/branding/", {"primary_color": "red"}, follow=True)
    assert bad.status_code == 400 and b"Use a colour like" in bad.content


def test_admin_imports_users_through_preview_then_apply_pages(site, demo) -> None:
    Tenant.objects.filter(pk=demo.pk).update(seat_limit=10_000)
    admin = _client(site, "admin@demo.test")
    email = f"{unique('p')}@example.org"
    upload = io.BytesIO(f"email,full_name,role\n{email},Paula,learner\nbroken,,learner\n".encode())
    upload.name = "people.csv"
    preview = admin.post("/manage/users/import/", {"action": "preview", "file": upload})
    assert b"1 to create, 0 to update, 0 unchanged, 1 with errors." in preview.content
    text = preview.context["csv_text"]
    applied = admin.post("/manage/users/import/", {"action": "apply", "csv_text": text})
    assert applied.context["report"].applied is True
    assert applied.context["summary"]["create"] == 1


def test_analytics_csv_lists_the_progress_of_each_learner(site) -> None:
    c, quiz, learner = site["course"], site["quiz"], site["learner"]
    attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
    services.quiz_attempt_submit(attempt=attempt, user=learner, answers=answers_for(quiz, right=1))
    csv_text = _client(site, site["instructor"].email).get(f"/manage/analytics/{c.pk}.csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == ("email,full_name,enrolled_at,lessons_done,lessons_total,progress_percent,score,completed,"
                        "certified")
    assert lines[1].startswith(f"{learner.email},Test Person,")
    assert lines[1].endswith(",1,2,50.0,50.00,False,False")
    stats = _client(site, site["instructor"].email).get(f"/manage/analytics/{c.pk}/")
    assert b"1 enrolments" in stats.content and "completion rate 0.0\u00a0%" in stats.content.decode()
    # In French the rates carry their % sign once (the formatter's).
    site["instructor"].language = "fr"
    site["instructor"].save(update_fields=["language"])
    french = _client(site, site["instructor"].email).get(f"/manage/analytics/{c.pk}/").content.decode()
    assert "achèvement 0,0\u00a0% · taux de réussite 0,0\u00a0%" in french, french


def test_instructor_builds_a_course_through_the_pages(site) -> None:
    instructor = _client(site, site["instructor"].email)
    slug = unique("built")
    created = instructor.post("/teach/", {"title": "Built", "slug": slug, "summary": "", "language": "fr",
                                          "licence": "cc-by-sa", "visibility": "mooc", "pass_mark": "60"})
    assert created.status_code == 302
    url = created["Location"]
    instructor.post(url, {"action": "add_module", "title": "Part 1"})
    course = site["course"].__class__.objects.get(slug=slug)
    module = course.modules.get()
    instructor.post(url, {"action": "add_lesson", "module": module.pk, "title": "Read me", "kind": "text",
                          "body_markdown": "Hello **world**", "max_attempts": "3"})
    quiz_redirect = instructor.post(url, {"action": "add_lesson", "module": module.pk, "title": "Check",
                                          "kind": "quiz", "max_attempts": "2", "time_limit_minutes": "5"})
    quiz = Lesson.objects.get(module=module, kind="quiz")
    assert quiz_redirect["Location"] == f"/teach/lessons/{quiz.pk}/"
    instructor.post(quiz_redirect["Location"], {"action": "add_question", "text": "Capital of France?",
                                                "kind": "single", "choices": "*Paris\nLyon\n"})
    assert [(c.text, c.is_correct) for c in quiz.questions.get().choices.all()] == [("Paris", True), ("Lyon", False)]
    instructor.post(url, {"action": "publish"})
    course.refresh_from_db()
    assert (course.status, course.licence, str(course.pass_mark)) == ("published", "cc-by-sa", "60.00")
    assert Lesson.objects.get(module=module, kind="text").body_html == "<p>Hello <strong>world</strong></p>"


def test_staff_see_a_storage_banner_at_80_and_100_percent(site, demo) -> None:
    instructor = _client(site, site["instructor"].email)
    learner = _client(site, site["learner"].email)
    Tenant.objects.filter(pk=demo.pk).update(storage_quota_bytes=1000, storage_used_bytes=100)
    assert b"storage-warning" not in instructor.get("/teach/").content
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=850)
    assert b"used 80 % of its storage quota" in instructor.get("/teach/").content
    Tenant.objects.filter(pk=demo.pk).update(storage_used_bytes=1000)
    assert b"storage quota is used up" in instructor.get("/teach/").content
    assert b"storage-warning" not in learner.get("/courses/").content


def test_pages_speak_the_users_language(site) -> None:
    site["learner"].language = "fr"
    site["learner"].save(update_fields=["language"])
    page = _client(site, site["learner"].email).get(f"/courses/{site['course'].slug}/").content.decode()
    assert "Mes certificats" in page and "Sommaire" in page and "Note de réussite" in page
    assert "0 leçons terminées sur 2" in page


def test_instructor_invites_a_csv_of_emails_to_a_spoc(site) -> None:
    site["course"].visibility = "spoc"
    site["course"].save()
    upload = io.BytesIO(b"email\nana@example.org\n\"bob@example.org\";x\nnot-an-email\n")
    upload.name = "invitees.csv"
    response = _client(site, site["instructor"].email).post(
        f"/teach/courses/{site['course'].pk}/", {"action": "invite", "emails": "carl@example.org", "file": upload},
        follow=True)
    assert b"3 invitation(s) added." in response.content
    assert sorted(site["course"].invitations.values_list("email", flat=True)) == [
        "ana@example.org", "bob@example.org", "carl@example.org"]


def test_quiz_deadlines_are_entered_in_paris_time(site) -> None:
    module = site["course"].modules.get()
    _client(site, site["instructor"].email).post(
        f"/teach/courses/{site['course'].pk}/", {"action": "add_lesson", "module": module.pk, "title": "Timed",
                                                 "kind": "quiz", "deadline": "2026-07-01T18:00"})
    deadline = Lesson.objects.get(module=module, title="Timed").deadline
    assert deadline.isoformat() == "2026-07-01T16:00:00+00:00"  # 18:00 in Paris in summer


def test_visitors_get_the_default_language_chosen_in_the_branding(site) -> None:
    assert b"Forgot your password?" in Client(HTTP_HOST=site["host"]).get("/login/").content
    admin = _client(site, "admin@demo.test")
    assert admin.post("/manage/branding/", {"primary_color": "#1d4ed8", "accent_color": "#b45309",
                                            "default_language": "fr"}).status_code == 302
    assert "Mot de passe oublié ?" in Client(HTTP_HOST=site["host"]).get("/login/").content.decode()


def test_administrator_uploads_a_logo_shown_in_the_header_and_replacing_it_deletes_the_old_one(site) -> None:
    import urllib.request

    from mooc_platform import storage
    from tests.helpers import client_for

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
           b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")
    api = client_for(site["host"], "admin@demo.test")

    def logo_upload() -> dict:
        data = api.post("/api/v1/uploads/", {"purpose": "logo", "filename": "logo.png", "content_type": "image/png",
                                             "size": len(png)}, format="json").json()
        request = urllib.request.Request(data["url"], data=png, method="PUT", headers=data["headers"])
        urllib.request.urlopen(request).close()
        api.post(f"/api/v1/uploads/{data['id']}/confirm/")
        return data

    first = logo_upload()
    branding = api.put("/api/v1/branding/", {"logo_upload_id": first["id"], "name": "Logo U"}, format="json").json()
    assert branding["name"] == "Logo U" and first["key"] in branding["logo_url"]
    page = _client(site, site["learner"].email).get("/courses/").content.decode()
    assert 'class="logo"' in page and first["key"] in page
    second = logo_upload()
    api.put("/api/v1/branding/", {"logo_upload_id": second["id"]}, format="json")
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=first["key"])
    assert listed.get("KeyCount", 0) == 0
    assert api.put("/api/v1/branding/", {"name": "x"}, format="json").status_code == 200
    learner = client_for(site["host"], site["learner"].email)
    assert learner.put("/api/v1/branding/", {"name": "Hacked"}, format="json").status_code == 403
