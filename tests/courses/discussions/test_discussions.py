"""Discussions (SPEC R21): posts appear at once; any member reports; moderators hide or restore;
the author is told by e-mail."""

from django.core import mail

from courses import services
from courses.models import Post, PostReport
from tenants.models import AuditEvent
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for


def test_report_hide_and_restore_flow_tells_the_author(demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    instructor = UserFactory(role="instructor")
    course = CourseFactory(author=instructor)
    author, reader = UserFactory(full_name="Arthur Author"), UserFactory()
    for user in (author, reader):
        services.enrollment_create(course=course, user=user)
    author_api, reader_api = client_for(demo_host, author.email), client_for(demo_host, reader.email)
    staff_api = client_for(demo_host, instructor.email)

    created = author_api.post(f"/api/v1/courses/{course.pk}/posts/", {"body": "Buy cheap watches"}, format="json")
    assert created.status_code == 201
    post_id = created.json()["id"]
    reply = reader_api.post(f"/api/v1/courses/{course.pk}/posts/", {"body": "Spam!", "parent": post_id},
                            format="json")
    assert reply.status_code == 201
    threads = reader_api.get(f"/api/v1/courses/{course.pk}/posts/").json()
    assert [(t["body"], [r["body"] for r in t["replies"]]) for t in threads] == [("Buy cheap watches", ["Spam!"])]

    no_reason = reader_api.post(f"/api/v1/posts/{post_id}/report/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert reader_api.post(f"/api/v1/posts/{post_id}/report/", {"reason": "advertising"},
                           format="json").status_code == 201
    assert reader_api.get("/api/v1/moderation/reports/").status_code == 403
    queue = staff_api.get("/api/v1/moderation/reports/").json()["results"]
    reports = [(r["reason"], r["post"]["id"], r["reporter"]) for r in queue]
    assert reports == [("advertising", post_id, reader.public_name)]  # the name, never the e-mail

    with django_capture_on_commit_callbacks(execute=True):
        hidden = staff_api.post(f"/api/v1/posts/{post_id}/hide/", {"reason": "advertising"}, format="json")
    assert hidden.json()["hidden"] is True
    assert [m.to for m in mail.outbox] == [[author.email]]
    assert "hid your post" in mail.outbox[0].body and "advertising" in mail.outbox[0].body
    assert reader_api.get(f"/api/v1/courses/{course.pk}/posts/").json() == []
    assert [t["hidden"] for t in staff_api.get(f"/api/v1/courses/{course.pk}/posts/").json()] == [True]
    assert staff_api.get("/api/v1/moderation/reports/").json()["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_api.post(f"/api/v1/posts/{post_id}/restore/")
    assert len(mail.outbox) == 2 and "restored" in mail.outbox[1].subject
    assert [t["id"] for t in reader_api.get(f"/api/v1/courses/{course.pk}/posts/").json()] == [post_id]
    assert PostReport.objects.filter(post_id=post_id, resolved_at__isnull=True).count() == 0
    # Moderation is audited on the platform's log, tenant by value (courses never imports tenants).
    events = AuditEvent.objects.filter(target_type="Post", target_id=str(post_id)).order_by("id")
    assert [(e.action, e.actor_email, e.tenant.slug, e.after.get("hidden")) for e in events] == [
        ("post.hidden", instructor.email, "demo", True), ("post.restored", instructor.email, "demo", False)]


def test_learners_cannot_hide_and_non_members_cannot_post(demo_host, in_demo) -> None:
    course = CourseFactory(author=UserFactory(role="instructor"))
    member, outsider = UserFactory(), UserFactory()
    services.enrollment_create(course=course, user=member)
    post = services.post_create(course=course, author=member, body="Hello")
    outsider_api = client_for(demo_host, outsider.email)
    refused = outsider_api.post(f"/api/v1/courses/{course.pk}/posts/", {"body": "Hi"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_enrolled"
    assert client_for(demo_host, member.email).post(f"/api/v1/posts/{post.pk}/hide/").status_code == 403
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_a_learner_without_a_full_name_is_signed_by_role_for_other_learners_never_by_e_mail(
        demo_host, in_demo) -> None:
    """Found by the user-against-user matrix (tests/isolation/test_user_against_user.py): a learner invited
    by e-mail who never set a name used to sign her posts with her e-mail address, for every reader."""
    from django.test import Client

    instructor = UserFactory(role="instructor", full_name="Ines Instructor")
    course = CourseFactory(author=instructor, quiz=False)
    nameless, reader = UserFactory(full_name=""), UserFactory(full_name="Rita Reader")
    for user in (nameless, reader):
        services.enrollment_create(course=course, user=user)
    services.post_create(course=course, author=nameless, body="Where is week 2?")

    def signature(user) -> str:
        return client_for(demo_host, user.email).get(f"/api/v1/courses/{course.pk}/posts/").json()[0]["author"]

    assert signature(reader) == "Learner"
    # Not to the author nor the staff either: forums never show an e-mail (issue 11 item 6).
    assert signature(nameless) == "Learner"
    assert signature(instructor) == "Learner"
    page = Client(HTTP_HOST=demo_host)
    page.force_login(reader)
    html = page.get(f"/courses/{course.slug}/discussion/").content.decode()
    assert "Where is week 2?" in html and nameless.email not in html
