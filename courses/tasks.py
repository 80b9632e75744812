"""Thin Celery tasks of the courses app: schema name and ids in, a service call, retries here (STYLE 5)."""

from django.core.exceptions import ObjectDoesNotExist
from django_tenants.utils import schema_context

from mooc_platform.celery import app


@app.task(name="courses.certificate_pdf_store", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def certificate_pdf_store(*, schema_name: str, certificate_id: int) -> str:
    """Render and store a certificate's PDF on S3; returns its key ("" when the certificate is gone).
    Idempotent; storage errors are retried."""
    from . import services

    with schema_context(schema_name):
        try:
            return services.certificate_pdf_store(certificate_id=certificate_id)
        except ObjectDoesNotExist:
            return ""


@app.task(name="courses.media_uploads_expire_all")
def media_uploads_expire_all() -> int:
    """Beat: in every live tenant, release the quota reserved by uploads signed but never confirmed
    and delete what they sent (issue 11 item 5). Tenants are read by value through
    settings.TENANT_SCHEMAS_READER (courses never imports the tenants app). Returns how many uploads were
    released."""
    from django.conf import settings
    from django.db import connection
    from django.utils.module_loading import import_string
    from django_tenants.utils import schema_exists

    from . import services

    connection.set_schema_to_public()
    released = 0
    for schema_name in import_string(settings.TENANT_SCHEMAS_READER)():
        if not schema_exists(schema_name):  # purged meanwhile
            continue
        with schema_context(schema_name):
            released += services.media_uploads_expire()
    return released



@app.task(name="courses.privacy_run")
def privacy_run(*, dry_run: bool = False) -> dict[str, list[int]]:
    """Beat (daily): anonymise the users deactivated for longer than PRIVACY_DEACTIVATED_USER_DAYS (SPEC R29)."""
    from . import services

    return services.users_deactivated_anonymise_all_tenants(dry_run=dry_run)


@app.task(name="courses.notifications_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_email(*, schema_name: str, notification_ids: list[int]) -> int:
    """E-mail notifications one by one (issue 14 item 8); one already e-mailed is skipped."""
    from . import services

    with schema_context(schema_name):
        return services.notifications_email(notification_ids=notification_ids)


def _each_live_tenant(call) -> int:  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.db import connection
    from django.utils.module_loading import import_string
    from django_tenants.utils import schema_exists

    connection.set_schema_to_public()
    total = 0
    for schema_name in import_string(settings.TENANT_SCHEMAS_READER)():
        if schema_exists(schema_name):
            with schema_context(schema_name):
                total += call()
    return total


@app.task(name="courses.notifications_deadlines_all")
def notifications_deadlines_all() -> int:
    """Beat (hourly): in every live tenant, tell learners of quiz deadlines within 48 hours."""
    from . import services

    return _each_live_tenant(services.deadline_reminders_send)


@app.task(name="courses.notifications_digest_all")
def notifications_digest_all() -> int:
    """Beat (daily): in every live tenant, send the digests of those who chose one."""
    from . import services

    return _each_live_tenant(services.notifications_digest_send)


@app.task(name="courses.scorm_package_unpack")
def scorm_package_unpack(*, schema_name: str, package_id: int) -> str:
    """Check and unpack an uploaded SCORM package to S3 (issue 14 item 6); returns its status ("" when gone)."""
    from django_tenants.utils import schema_exists

    from . import services

    if not schema_exists(schema_name):
        return ""
    with schema_context(schema_name):
        return services.scorm_package_unpack(package_id=package_id)


@app.task(name="courses.bin_purge_all")
def bin_purge_all() -> int:
    """Beat (daily): in every live tenant, delete for good the modules and lessons in the bin for 30 days, with
    their media (issue 14 item 5). Returns how many were purged."""
    from . import services

    return _each_live_tenant(services.bin_purge)
