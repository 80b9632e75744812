"""Right to erasure and time limits (issue 15 item 9, SPEC R29): an administrator erases a user with the same
anonymisation as the user's own deletion, and `public` forgets them too (audit events, claims; the organisation's
earlier exports, which contain them, are deleted); a user deactivated for longer than the period (default a year)
is anonymised once by `run_privacy` (beat), which lists them first with `--dry-run`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client

from claims import services as claims_services
from claims.models import Claim
from courses import services
from courses.models import Certificate, Post
from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ForbiddenError
from tenants.models import AuditEvent, TenantExport
from tests.factories import UserFactory
from tests.helpers import api_client

from .test_my_data import _certified_learner

NOW = datetime(2027, 6, 15, 8, 0, tzinfo=UTC)


def _admin() -> User:
    return User.objects.get(email="admin@demo.test")


def test_an_administrator_erases_a_user_after_typing_their_address_and_public_forgets_them(
        demo, demo_host, in_demo, django_capture_on_commit_callbacks) -> None:
    course, learner = _certified_learner()
    certificate = Certificate.objects.get(user=learner)
    audit_record(action="post.reported", actor=learner, schema_name=connection.schema_name,
                 after={"email": learner.email, "reason": "spam"}, ip_address="198.51.100.4")
    export_key = f"{storage.tenant_prefix(schema_name=demo.schema_name)}exports/erasure-{learner.pk}.zip"
    storage.s3_client().put_object(Bucket=storage.bucket_name(), Key=export_key, Body=b"zip with the learner")
    export = TenantExport.objects.create(tenant=demo, requested_by_email="admin@demo.test", s3_key=export_key,
                                         status=TenantExport.Status.READY)
    admin_claim = claims_services.claim_file(tenant=demo, actor=UserFactory(role="administrator", full_name="Al Admin"),
                                             category="other", event_at=NOW - timedelta(days=1000), subject="Old",
                                             body="b")
    client = Client(HTTP_HOST=demo_host)
    client.force_login(_admin())
    page = client.get(f"/manage/users/{learner.pk}/erase/").content.decode()
    assert f'data-testid="erase-target"><strong>{learner.email}</strong> — Dora Data' in page
    assert "Erase this user?" in page and "This cannot be undone." in page
    refused = client.post(f"/manage/users/{learner.pk}/erase/", {"email": "someone@else.example"})
    assert refused.status_code == 400 and User.objects.filter(pk=learner.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/manage/users/{learner.pk}/erase/", {"email": learner.email.upper()}, follow=True)
    assert "The user was erased; their posts stay without their name." in done.content.decode()
    # The same as the learner's own deletion ...
    assert not User.objects.filter(pk=learner.pk).exists()
    assert Post.objects.get(course=course).author_id is None
    certificate.refresh_from_db()
    assert (certificate.holder_removed, certificate.holder_name) == (True, "")
    # ... and public forgets them: the audit log, the exports that contain them.
    event = AuditEvent.objects.get(action="post.reported", target_id="", tenant=demo, after__reason="spam")
    assert (event.actor_email, event.ip_address, event.after) == ("", None, {"reason": "spam"})
    assert not AuditEvent.objects.filter(actor_email=learner.email).exists()
    export.refresh_from_db()
    assert (export.s3_key, export.status) == ("", TenantExport.Status.FAILED)
    assert "erased" in export.error
    assert storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=export_key).get("KeyCount") == 0
    erased = AuditEvent.objects.filter(action="user.erased", tenant=demo).latest("id")
    assert erased.actor_email == "admin@demo.test" and erased.after == {"user_id": learner.pk}
    assert learner.email not in str(erased.after)
    assert Claim.objects.get(pk=admin_claim.pk).filed_by_email != ""  # someone else's claim is untouched


def test_erasure_is_for_administrators_never_of_oneself_and_the_api_asks_for_the_address(demo, demo_host,
                                                                                           in_demo) -> None:
    from mooc_platform.accounts.tokens import token_issue

    learner = UserFactory(full_name="Lou Learner")
    admin = _admin()
    with pytest.raises(ForbiddenError):
        services.user_erase(user=admin, actor=admin, confirm_email=admin.email)
    with pytest.raises(ForbiddenError):
        services.user_erase(user=admin, actor=learner, confirm_email=admin.email)
    with pytest.raises(ApplicationError):
        services.user_erase(user=learner, actor=admin, confirm_email="")
    api = api_client(demo_host, token_issue(user=admin)[1])
    missing = api.post(f"/api/v1/users/{learner.pk}/erase/", {}, format="json")
    assert missing.status_code == 400 and "email" in missing.json()["error"]["details"]
    assert api.post(f"/api/v1/users/{learner.pk}/erase/", {"email": learner.email}, format="json").status_code == 204
    assert not User.objects.filter(pk=learner.pk).exists()
    as_learner = api_client(demo_host, token_issue(user=UserFactory())[1])
    assert as_learner.post(f"/api/v1/users/{admin.pk}/erase/", {"email": admin.email},
                           format="json").status_code == 403


def test_users_deactivated_for_a_year_are_anonymised_once_and_the_dry_run_only_lists_them(
        demo, in_demo, settings) -> None:
    settings.PRIVACY_DEACTIVATED_USER_DAYS = 365
    admin = _admin()
    gone, recent, back = (UserFactory(full_name=name) for name in ("Old Timer", "Recent Leaver", "Came Back"))
    with time_machine.travel(NOW, tick=False):
        for user in (gone, back):
            services.user_deactivate(user=user, actor=admin)
        services.user_reactivate(user=back, actor=admin)
    with time_machine.travel(NOW + timedelta(days=300), tick=False):
        services.user_deactivate(user=recent, actor=admin)
    assert User.objects.get(pk=gone.pk).deactivated_at == NOW
    assert User.objects.get(pk=back.pk).deactivated_at is None

    later = NOW + timedelta(days=365, seconds=1)

    def listed(output: str) -> set[int]:
        found = re.search(rf"{demo.schema_name}: user ids ([0-9, ]+)", output)
        return {int(i) for i in found.group(1).split(", ")} if found else set()

    with time_machine.travel(later, tick=False):
        out = StringIO()
        call_command("run_privacy", "--dry-run", stdout=out)
        assert "would anonymise" in out.getvalue()
        assert gone.pk in listed(out.getvalue()) and not {recent.pk, back.pk} & listed(out.getvalue())
        assert User.objects.filter(pk=gone.pk).exists()
        out = StringIO()
        call_command("run_privacy", stdout=out)
        assert gone.pk in listed(out.getvalue())
        assert not User.objects.filter(pk=gone.pk).exists()
        assert User.objects.filter(pk__in=[recent.pk, back.pk]).count() == 2
        again = StringIO()
        call_command("run_privacy", stdout=again)  # exactly once: nobody is left to do
        assert listed(again.getvalue()) == set()
    event = AuditEvent.objects.filter(action="user.anonymised_after_deactivation", after__user_id=gone.pk).get()
    assert event.tenant_id == demo.pk and event.actor_email == ""
