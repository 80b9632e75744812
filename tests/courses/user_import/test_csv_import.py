"""CSV import of users with a preview (SPEC R2)."""

from django.core import mail

from courses import services
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.courses.helpers import PASSWORD, seats_leave_free
from tests.helpers import client_for, unique


def _csv(*lines: str) -> str:
    return "\n".join(["email,full_name,role,language", *lines]) + "\n"


def test_csv_preview_reports_each_row_and_changes_nothing(demo, demo_host, in_demo) -> None:
    seats_leave_free(demo, 1)
    new1, new2 = f"{unique('a')}@example.org", f"{unique('b')}@example.org"
    text = _csv(f"{new1},Alice New,learner,fr",
                "not-an-email,Bad,learner,",
                f"{new1},Alice Again,learner,",
                "learner1@demo.test,Lea Learner 1,instructor,",
                "learner2@demo.test,Lea Learner 2,learner,en",
                f"{unique('c')}@example.org,Carl,astronaut,",
                f"{new2},Bob Over,learner,")
    before = User.objects.count()
    report = client_for(demo_host, "admin@demo.test").post("/api/v1/users/import/", {"csv": text}, format="json")
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["applied"] is False
    assert [(r["line"], r["action"], [e["code"] for e in r["errors"]]) for r in body["rows"]] == [
        (2, "create", []),
        (3, "error", ["invalid_email"]),
        (4, "error", ["duplicate"]),
        (5, "update", []),
        (6, "unchanged", []),
        (7, "error", ["unknown_role"]),
        (8, "error", ["seat_limit_reached"]),
    ]
    assert body["rows"][3]["changes"] == {"role": {"from": "learner", "to": "instructor"}}
    assert body["summary"] == {"create": 1, "update": 1, "unchanged": 1, "error": 4}
    assert User.objects.count() == before


def test_csv_apply_creates_good_rows_despite_bad_ones_and_reimport_is_a_no_op(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    seats_leave_free(demo, 5)
    new1, new2 = f"{unique('a')}@example.org", f"{unique('b')}@example.org"
    target = User.objects.create_user(f"{unique('t')}@example.org", PASSWORD, full_name="Old Name")
    text = _csv(f"{new1},Alice,instructor,fr", "bad-email,,learner,", f"{new2},Bob,,",
                f"{target.email},New Name,learner,")
    admin = client_for(demo_host, "admin@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        applied = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert applied["applied"] is True
    assert applied["summary"] == {"create": 2, "update": 1, "unchanged": 0, "error": 1}
    alice = User.objects.get(email=new1)
    assert (alice.full_name, alice.role, alice.language, alice.has_usable_password()) == (
        "Alice", "instructor", "fr", False)
    assert User.objects.get(email=new2).role == "learner"
    assert User.objects.get(pk=target.pk).full_name == "New Name"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([new1, new2])
    assert all("/invitation/" in m.body for m in mail.outbox)

    count = User.objects.count()
    again = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert again["summary"] == {"create": 0, "update": 0, "unchanged": 3, "error": 1}
    assert User.objects.count() == count


def test_csv_import_accepts_a_multipart_file_with_semicolons(demo, demo_host, in_demo) -> None:
    import io

    seats_leave_free(demo, 3)
    email = f"{unique('m')}@example.org"
    upload = io.BytesIO(f"\ufeffemail;full_name;role\n{email};Maya;apprenant\n".encode())
    upload.name = "users.csv"
    body = client_for(demo_host, "admin@demo.test").post("/api/v1/users/import/", {"file": upload, "apply": "true"},
                                                         format="multipart").json()
    assert body["summary"]["create"] == 1
    assert User.objects.get(email=email).role == "learner"


def test_csv_apply_stops_creating_at_the_seat_limit_and_keeps_the_rows_that_fit(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    seats_leave_free(demo, 2)
    first, second, third = (f"{unique(p)}@example.org" for p in ("s1", "s2", "s3"))
    text = _csv(f"{first},One,learner,", f"{second},Two,learner,", f"{third},Three,learner,",
                "learner2@demo.test,Lea Learner 2 Renamed,learner,")
    admin = client_for(demo_host, "admin@demo.test")
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        applied = admin.post("/api/v1/users/import/", {"csv": text, "apply": True}, format="json").json()
    assert applied["applied"] is True
    assert [(r["line"], r["action"], [e["code"] for e in r["errors"]]) for r in applied["rows"]] == [
        (2, "create", []), (3, "create", []), (4, "error", ["seat_limit_reached"]), (5, "update", [])]
    assert User.objects.count() == before + 2
    assert not User.objects.filter(email=third).exists()
    assert User.objects.get(email="learner2@demo.test").full_name == "Lea Learner 2 Renamed"
    assert services.seats_taken() == Tenant.objects.get(pk=demo.pk).seat_limit
